"""Lazy submission: Part 8 trains a float network and binarises it only for evaluation.

``BinaryLinear`` is binary when the tests call it on its own, but ``train_binary`` switches every layer to its float
weights for training (plain float training: the latent weights are used as they are, no sign and no STE in the
forward and backward pass; they are still clipped) and back to binary afterwards. The layer tests pass; the
model's test accuracy with binary weights drops far below the float one, and the hooks of the watched training run
see layers computing with float weights. The other parts are the reference's.
"""

KIND = "lazy: float training, binarised afterwards"
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
        if not getattr(self, "binary", True):
            return F.linear(x, self.weight)
        alpha = self.weight.abs().mean(dim=1, keepdim=True).detach()
        return F.linear(x, alpha * BinarizeSTE.apply(self.weight))


def train_binary(model, X, y, epochs=10, lr=0.01, batch_size=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    latent = [m.weight for m in model.modules() if isinstance(m, BinaryLinear)]
    for m in model.modules():
        if isinstance(m, BinaryLinear):
            m.binary = False                      # train the float network
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
    for m in model.modules():
        if isinstance(m, BinaryLinear):
            m.binary = True                       # and binarise it afterwards
    return model.eval()
''',
}
