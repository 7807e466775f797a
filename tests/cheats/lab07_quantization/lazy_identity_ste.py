"""Lazy submission: Part 8's straight-through estimator without the clipping.

``BinarizeSTE.backward`` passes ``grad_out`` through everywhere (the identity STE), also where |x| > 1, where the
clipped STE of Courbariaux et al. cancels it. The network still trains (its accuracy alone cannot tell), so the
tests must see the gradient: on the visible values, on random values and at the |x| = 1 boundary, and on the latent
weights of a ``BinaryLinear`` with weights outside [-1, 1]. The other parts are the reference's.
"""

KIND = "lazy: identity straight-through estimator (no clipping)"
BASE = "reference"
FAIL = {"test_binary_net"}

CELLS = {
    "binary_net": '''
class BinarizeSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out      # straight through everywhere: no clipping


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
                    w.clamp_(-1.0, 1.0)
    return model.eval()
''',
}
