"""Lazy submission: Part 8's latent weights clipped once, after training, instead of after every step.

Everything else is the reference's. The visible tests see only the end (latent weights inside [-1, 1], a good
accuracy), so this passes them; the hidden tests watch the training run and find latent weights outside [-1, 1]
when a step begins.
"""

KIND = "lazy: latent weights clipped only at the end of training"
BASE = "reference"
FAIL = {"test_binary_net"}

CELLS = {
    "binary_net": '''
class BinarizeSTE(torch.autograd.Function):
    """sign(x) in the forward pass (+1 where x >= 0, -1 elsewhere); the clipped straight-through estimator
    grad_out * (|x| <= 1) in the backward pass."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * (x.abs() <= 1)


def binarize(x):
    return BinarizeSTE.apply(x)


class BinaryLinear(nn.Module):
    """A linear layer (no bias) whose forward pass uses alpha_n * sign(W_n) for the latent real-valued weights W,
    alpha_n = mean |W_n| per output channel n."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-1.0, 1.0))   # latent weights

    def forward(self, x):
        alpha = self.weight.abs().mean(dim=1, keepdim=True).detach()
        return F.linear(x, alpha * BinarizeSTE.apply(self.weight))


def train_binary(model, X, y, epochs=10, lr=0.01, batch_size=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    latent = [m.weight for m in model.modules() if isinstance(m, BinaryLinear)]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=gen)
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        for w in latent:
            w.clamp_(-1.0, 1.0)                   # clipped once, at the end
    return model.eval()
''',
}
