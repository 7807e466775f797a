"""Lazy Part B: the buckets are right, but every bucket is all-reduced in finish_gradients, after the backward pass
has ended -- no hooks, no overlap. The weights are right; the trace shows no all-reduce before the first
parameter's gradient is ready, so Part B scores 0."""

KIND = "lazy: all-reduce after backward"
BASE = "reference"
FAIL = {"test_ddp"}

CELLS = {
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
