"""A correct Part B found by an adversarial review: hooks on the gradients themselves (Tensor.register_hook, which
run just before each gradient is accumulated into .grad) fill DDP-style bucket buffers and launch each bucket's
all-reduce; the other parts are the reference's. Must get full marks."""

KIND = "correct alternative: gradient tensor hooks"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "ddp": r'''class BucketedDDP:
    """Data parallelism by hand: one asynchronous all-reduce per gradient bucket, launched during backward."""

    def __init__(self, model, bucket_bytes):
        # LEGIT VARIANT: DDP-style bucket buffers filled from tensor gradient hooks (register_hook, which runs
        # when the parameter's gradient is computed, just before it is accumulated into .grad)
        self.model = model
        self.params = list(model.parameters())
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w.data, 0)
        self.buckets = assign_buckets(self.params, bucket_bytes)
        self.where = {}
        for b, idx in enumerate(self.buckets):
            off = 0
            for j in idx:
                self.where[j] = (b, off)
                off += self.params[j].numel()
        self.sizes = [sum(self.params[j].numel() for j in idx) for idx in self.buckets]
        for j, w in enumerate(self.params):
            w.register_hook(self._hook(j))
        self._new_step()

    def _new_step(self):
        dtype = self.params[0].dtype
        self.buffers = [torch.zeros(n, dtype=dtype) for n in self.sizes]
        self.missing = [len(idx) for idx in self.buckets]
        self.handles = {}

    def _hook(self, j):
        def hook(grad):
            b, off = self.where[j]
            self.buffers[b][off:off + grad.numel()] += grad.reshape(-1)
            self.missing[b] -= 1
            if self.missing[b] == 0:
                self.handles[b] = dist.all_reduce(self.buffers[b], async_op=True)
            return grad
        return hook

    def __call__(self, *args, **kwargs):
        """The model's forward pass (the start of a training step)."""
        self._new_step()
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        """Wait for the step's all-reduces; leave every .grad equal to the average of the ranks' gradients."""
        p = dist.get_world_size()
        for b, handle in self.handles.items():
            handle.wait()
            self.buffers[b] /= p
            for j in self.buckets[b]:
                _, off = self.where[j]
                w = self.params[j]
                w.grad = self.buffers[b][off:off + w.numel()].view_as(w).clone()
''',
}
