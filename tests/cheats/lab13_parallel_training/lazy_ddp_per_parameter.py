"""Lazy Part B: no buckets -- every gradient is all-reduced on its own from its hook, during backward. Overlap is
there, the weights are right, but the number and sizes of the all-reduces are one per parameter, not one per
bucket: Part B scores 0."""

KIND = "lazy: one all-reduce per parameter"
BASE = "reference"
FAIL = {"test_ddp"}

CELLS = {
    "ddp": r'''class BucketedDDP:
    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        self.pending = []
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w, 0)
        for w in self.params:
            w.register_post_accumulate_grad_hook(lambda w: self.pending.append((w, dist.all_reduce(w.grad, async_op=True))))

    def __call__(self, *args, **kwargs):
        self.pending = []
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        for w, handle in self.pending:
            handle.wait()
            w.grad /= dist.get_world_size()
        self.pending = []
''',
}
