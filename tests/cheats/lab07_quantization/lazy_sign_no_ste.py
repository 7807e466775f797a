"""Lazy submission: sign with its true derivative, so no gradient reaches the latent weights.

``BinarizeSTE.backward`` returns zeros, the derivative of sign almost everywhere: the forward pass is right, the
layer's outputs are right, but the latent weights never move and only BatchNorm's parameters learn. Part 8 must
score 0 (the STE's backward is checked directly, and the watched training run sees the latent weights stay where
they started). The other parts are the reference's.
"""

KIND = "lazy: sign without a straight-through estimator (zero gradients)"
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
        return torch.zeros_like(grad_out)        # the true derivative of sign: 0 almost everywhere


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
