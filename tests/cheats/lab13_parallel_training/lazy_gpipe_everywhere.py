"""Lazy Parts E and F: pipeline_schedule returns GPipe's orders for "1f1b" too (valid, the same makespan, but every
stage holds all m micro-batches), and pipeline_step runs them. Part E's 1F1B peaks fail; Part F measures m
micro-batches in flight on every stage in its 1F1B cases: both score 0."""

KIND = "lazy: GPipe for every schedule"
BASE = "reference"
FAIL = {"test_schedule", "test_pipeline"}

CELLS = {
    "schedule": r'''def pipeline_schedule(kind, p, m):
    if kind not in ("gpipe", "1f1b"):
        raise ValueError(f"unknown kind {kind!r}")
    for value in (p, m):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError("p and m must be ints >= 1")
    return [[("F", i) for i in range(m)] + [("B", i) for i in range(m)] for _ in range(p)]
''',
}
