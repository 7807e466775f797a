"""Lazy submission: the clipped STE when the tests call it, the identity STE while the network trains.

``BinarizeSTE.backward`` checks a module-level flag that ``train_binary`` sets while it runs: outside training (every
direct test of ``binarize``, of ``BinaryLinear``'s gradients) it is the clipped STE; inside training it passes
``grad_out`` through everywhere (lazy_identity_ste's estimator). The latent weights are clipped every step, so for the
weights the two estimators agree; the difference is in the hidden activations, where BatchNorm's outputs beyond +-1
receive gradient. The watched training run looks at the forward pass (binary layers, +-1 inputs), at the latent
weights and at their movement, but not at the gradient that reached the binarised activations, and the binary
network still reaches about 90%. Checked with ``course.py check`` (other cells a correct solution): Part 8 scored 15/15.
The watched run could compare, per mini-batch, the gradient at ``bn1``/``bn2``'s outputs with the gradient at
``fc2``/``fc3``'s inputs masked by ``|h| <= 1``. The other parts are the reference's.

Caught since: the watched run hooks ``bn1``/``bn2``'s outputs and ``fc2``/``fc3``'s inputs and compares their
gradients at every mini-batch (Part 8 now 0/15: "the gradient at the outputs h of ['bn1', 'bn2'] was not the clipped
STE's").
"""

KIND = "lazy: clipped STE only when tested directly, identity STE during train_binary"
BASE = "reference"
FAIL = {"test_binary_net"}

CELLS = {
    "binary_net": '''
_IN_TRAINING = [False]


class BinarizeSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        if _IN_TRAINING[0]:
            return grad_out                  # identity STE while train_binary runs: no clipping
        return torch.where(x.abs() <= 1, grad_out, torch.zeros_like(grad_out))


def binarize(x):
    return BinarizeSTE.apply(x)


class BinaryLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-1.0, 1.0))   # latent weights

    def forward(self, x):
        alpha = self.weight.abs().mean(dim=1, keepdim=True).detach()
        return F.linear(x, alpha * binarize(self.weight))


def train_binary(model, X, y, epochs=10, lr=0.01, batch_size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    layers = [m for m in model.modules() if isinstance(m, BinaryLinear)]
    model.train()
    _IN_TRAINING[0] = True
    try:
        for _ in range(epochs):
            for idx in torch.randperm(len(X), generator=g).split(batch_size):
                opt.zero_grad()
                F.cross_entropy(model(X[idx]), y[idx]).backward()
                opt.step()
                with torch.no_grad():
                    for m in layers:
                        m.weight.clamp_(-1.0, 1.0)
    finally:
        _IN_TRAINING[0] = False
    return model.eval()
''',
}
