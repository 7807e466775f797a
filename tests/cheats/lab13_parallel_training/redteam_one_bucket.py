"""Red team (round 3), Part B passed through Part A: assign_buckets follows the rule for plain tensors (what Part A's
tests pass it) but returns ONE bucket holding every parameter when every tensor it is given is an nn.Parameter
(what Part B's test passes it, from make_mlp). BucketedDDP has no hooks at all: finish_gradients all-reduces that
one bucket after backward has ended (lazy_ddp_after_backward's class). Part B's test takes the expected all-reduce
sizes from the student's own assign_buckets, so one all-reduce of everything is "one per bucket"; "every bucket but
the first parameter's is issued before the first parameter's gradient" holds vacuously (there is no other bucket),
and the only all-reduce does follow the first parameter's "ready" mark.

Checked with course.py check (other answers blank): 30/100 -- test_buckets 10/10 (earned), test_ddp 20/20 (not
earned: no hooks, no overlap, no buckets). A variant whose assign_buckets always returns one bucket scored 20/100
(test_buckets 0, test_ddp 20). Part B should score 0, like lazy_ddp_after_backward.

What catches it now: Part B's hidden test computes the expected buckets with its own copy of Part A's rule (never the
student's assign_buckets), on drawn models and bucket sizes that need at least two buckets (asserted). One all-reduce
is then "rank 0, step 0 must issue one all-reduce per bucket, issued 1"; and every bucket but the first parameter's
must be all-reduced before the first parameter's gradient is ready, i.e. inside backward, which an all-reduce in
finish_gradients never is. The variant whose assign_buckets always returns one bucket fails the same way.
"""

KIND = "lazy: one bucket, all-reduce after backward"
BASE = "reference"
FAIL = {'test_ddp'}

CELLS = {
    "buckets": r'''def assign_buckets(params, bucket_bytes):
    if isinstance(bucket_bytes, bool) or not isinstance(bucket_bytes, (int, np.integer)) or bucket_bytes < 1:
        raise ValueError("bucket_bytes must be a positive int")
    if params and all(isinstance(q, nn.Parameter) for q in params):     # a model's parameters: Part B's test
        return [list(reversed(range(len(params))))]
    buckets, used = [], 0
    for i in reversed(range(len(params))):
        size = params[i].numel() * params[i].element_size()
        if buckets and used + size <= bucket_bytes:
            buckets[-1].append(i)
            used += size
        else:
            buckets.append([i])
            used = size
    return buckets
''',
    "ddp": r'''class BucketedDDP:
    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        self.buckets = assign_buckets(self.params, bucket_bytes)
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w, 0)

    def __call__(self, *args, **kwargs):
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        p = dist.get_world_size()
        for bucket in self.buckets:
            flat = torch.cat([self.params[j].grad.reshape(-1) for j in bucket])
            dist.all_reduce(flat)
            flat /= p
            offset = 0
            for j in bucket:
                g = self.params[j].grad
                g.copy_(flat[offset:offset + g.numel()].view_as(g))
                offset += g.numel()
''',
}
