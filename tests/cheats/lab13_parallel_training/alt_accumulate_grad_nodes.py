"""A correct Part B found by the second adversarial review: hooks on the parameters' AccumulateGrad nodes
(w.view_as(w).grad_fn.next_functions[0][0].register_hook), the way DDP did it before PyTorch 2.1. Must get full
marks."""

KIND = 'correct alternative: AccumulateGrad node hooks'
BASE = "reference"
EXPECT = 'full'

CELLS = {
    'ddp': r'''class BucketedDDP:
    """Data parallelism by hand: one asynchronous all-reduce per gradient bucket, launched during backward."""

    def __init__(self, model, bucket_bytes):
        self.model = model
        self.params = list(model.parameters())
        with torch.no_grad():
            for w in self.params:
                dist.broadcast(w, 0)
        self.buckets = assign_buckets(self.params, bucket_bytes)
        self.bucket_of = {}
        for b, idx in enumerate(self.buckets):
            for i in idx:
                self.bucket_of[i] = b
        self.pending = [set(idx) for idx in self.buckets]
        self.launched = []
        self.accumulators = []          # the AccumulateGrad nodes (as DDP did before PyTorch 2.1)
        for i, w in enumerate(self.params):
            acc = w.view_as(w).grad_fn.next_functions[0][0]
            acc.register_hook(lambda grad_inputs, grad_outputs, i=i: self._ready(i))
            self.accumulators.append(acc)

    def _ready(self, i):
        b = self.bucket_of[i]
        self.pending[b].discard(i)
        if not self.pending[b]:
            flat = torch.cat([self.params[j].grad.reshape(-1) for j in self.buckets[b]])
            handle = dist.all_reduce(flat, async_op=True)
            self.launched.append((b, flat, handle))

    def __call__(self, *args, **kwargs):
        """The model's forward pass (the start of a training step)."""
        self.pending = [set(idx) for idx in self.buckets]
        self.launched = []
        return self.model(*args, **kwargs)

    def finish_gradients(self):
        """Wait for the step's all-reduces; leave every .grad equal to the average of the ranks' gradients."""
        p = dist.get_world_size()
        for b, flat, handle in self.launched:
            handle.wait()
            flat /= p
            offset = 0
            for j in self.buckets[b]:
                g = self.params[j].grad
                n = g.numel()
                g.copy_(flat[offset:offset + n].view_as(g))
                offset += n
        self.launched = []
''',
}
