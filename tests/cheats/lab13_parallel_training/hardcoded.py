"""A lab13_parallel_training submission that types in the visible answers: assign_buckets returns the buckets the
visible test expects for its five parameters (and one bucket per parameter otherwise), pipeline_schedule returns
the peaks the visible test checks only for p = 4, m = 8 (GPipe orders for every other case, also for "1f1b"). The
other parts are the reference's. Hidden tests use other parameters and other (p, m): Parts A and E lose their
points, Part B (whose DDP groups the model's parameters with this assign_buckets: one all-reduce per parameter,
while the test expects the buckets of Part A's rule, from its own copy of it) loses its points, and Part F (which
runs pipeline_schedule's orders) loses its 1F1B cases."""

KIND = "hard-coded visible answers"
BASE = "reference"
FAIL = {"test_buckets", "test_ddp", "test_schedule", "test_pipeline"}

CELLS = {
    "buckets": r'''def assign_buckets(params, bucket_bytes):
    if isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, int) or bucket_bytes < 1:
        raise ValueError("bucket_bytes must be a positive int")
    if len(params) == 5 and bucket_bytes == 400:
        return [[4, 3], [2, 1], [0]]
    if bucket_bytes >= 10 ** 6:
        return [list(reversed(range(len(params))))]
    return [[i] for i in reversed(range(len(params)))]
''',
    "schedule": r'''def pipeline_schedule(kind, p, m):
    if kind not in ("gpipe", "1f1b") or isinstance(p, bool) or not isinstance(p, int) or p < 1 \
            or isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError("bad arguments")
    if kind == "1f1b" and (p, m) == (4, 8):
        warm = [3, 2, 1, 0]
        return [[("F", i) for i in range(w)] + [op for i in range(8 - w) for op in (("F", w + i), ("B", i))]
                + [("B", i) for i in range(8 - w, 8)] for w in warm]
    return [[("F", i) for i in range(m)] + [("B", i) for i in range(m)] for _ in range(p)]
''',
}
