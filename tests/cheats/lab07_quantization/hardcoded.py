"""A submission that hard-codes the visible tests' answers of lab07_quantization.

Part 1 is written honestly. The other parts special-case the visible inputs: a lookup table for
the per-channel example and the percentile/KL values, a constant KL threshold, an "int32" GEMM that
accumulates in float32, a straight-through mask fitted to the visible range, an "int8" CNN that is
just the float model, and a binary network whose straight-through window (|x| < 1.2) fits the visible values.
It passes the visible tests and must lose Parts 2-8 on the hidden ones.
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "quantization_basics": '''
def affine_qparams(xmin, xmax, qmin=-128, qmax=127):
    xmin, xmax = float(xmin), float(xmax)
    if qmin >= qmax or xmin > xmax:
        raise ValueError("bad range")
    xmin, xmax = min(xmin, 0.0), max(xmax, 0.0)
    if xmax == xmin:
        return 1.0, int(min(max(0, qmin), qmax))
    scale = (xmax - xmin) / (qmax - qmin)
    return scale, int(min(max(qmin - round(xmin / scale), qmin), qmax))


def symmetric_qparams(absmax, qmax=127):
    absmax = float(absmax)
    if absmax < 0 or qmax < 1:
        raise ValueError("bad absmax")
    return absmax / qmax if absmax > 0 else 1.0


def quantize(x, scale, zero_point, qmin=-128, qmax=127):
    return torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax).to(torch.int32)


def dequantize(q, scale, zero_point):
    return ((q.to(torch.float64) - zero_point) * scale).to(torch.float32)
''',
    "per_channel": '''
def quantize_per_channel(w, qmax=127):
    if w.shape == (3, 3) and float(w[1, 0]) == 4.0:
        return (torch.tensor([[2, -4, 1], [4, 2, -3], [0, 0, 0]], dtype=torch.int32),
                torch.tensor([0.25, 1.0, 1.0]))
    s = float(w.abs().max()) / qmax or 1.0          # one scale for the whole tensor
    q = torch.clamp(torch.round(w.detach() / s), -qmax, qmax).to(torch.int32)
    return q, torch.full((w.shape[0],), s)
''',
    "calibration_simple": '''
def calibrate_minmax(x):
    return float(x.min()), float(x.max())


def calibrate_percentile(x, p=99.99):
    table = {50: 25.0, 99: 50.0, 90: 2.7}
    return table.get(p, float(x.abs().max()))
''',
    "calibration_kl": '''
def kl_for_candidate(hist, i, num_quant_bins=128):
    table = {(4, 2): 0.04985675617422343, (8, 2): 0.23379165870645924}
    if len(hist) == 5:
        return float("inf")
    return table.get((i, num_quant_bins), 0.0)


def calibrate_kl(hist, amax, num_quant_bins=128):
    return 5.0
''',
    "integer_gemm": '''
def int_matmul(qa, qb):
    return (qa.float() @ qb.float()).to(torch.int32)     # float32 accumulation


def requantize(acc, multiplier, zero_point, qmin=-128, qmax=127):
    m = torch.as_tensor(multiplier, dtype=torch.float64)
    return torch.clamp(torch.round(acc.double() * m) + zero_point, qmin, qmax).to(torch.int8)


def quantized_linear(qx, x_scale, x_zp, qw, w_scales, bias, y_scale, y_zp):
    x = (qx.float() - x_zp) * x_scale
    w = qw.float() * torch.as_tensor(w_scales).float().view(-1, 1)
    y = x @ w.T + (bias if bias is not None else 0)
    return torch.clamp(torch.round(y / y_scale) + y_zp, -128, 127).to(torch.int8)
''',
    "fake_quant": '''
class FakeQuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, zero_point, qmin, qmax):
        ctx.save_for_backward(x)
        q = torch.round(x / scale) + zero_point
        return (torch.clamp(q, qmin, qmax) - zero_point) * scale

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * ((x >= -3.0) & (x <= 3.0)), None, None, None, None


def fake_quant(x, scale, zero_point, qmin=-128, qmax=127):
    return FakeQuantSTE.apply(x, scale, zero_point, qmin, qmax)
''',
    "int8_cnn": '''
LAYERS = ("conv1", "conv2", "fc1", "fc2")


def calibrate_activations(model, X_calib):
    with torch.no_grad():
        a1 = torch.relu(model.conv1(X_calib))
        a2 = model.pool(torch.relu(model.conv2(a1))).flatten(1)
        a3 = torch.relu(model.fc1(a2))
    return {k: affine_qparams(float(v.min()), float(v.max()))
            for k, v in {"conv1": X_calib, "conv2": a1, "fc1": a2, "fc2": a3}.items()}


def int8_forward(model, x, act_qparams):
    with torch.no_grad():
        return model(x)                                  # the float model, unquantized
''',
    "binary_net": '''
class BinarizeSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * (x.abs() < 1.2)      # a window that fits the visible values, not |x| <= 1


def binarize(x):
    return BinarizeSTE.apply(x)


class BinaryLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-1.0, 1.0))

    def forward(self, x):
        alpha = self.weight.abs().mean(dim=1, keepdim=True).detach()
        return F.linear(x, alpha * BinarizeSTE.apply(self.weight))


def train_binary(model, X, y, epochs=10, lr=0.01, batch_size=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=gen)
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad()
            F.cross_entropy(model(X[idx]), y[idx]).backward()
            opt.step()
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, BinaryLinear):
                        m.weight.clamp_(-1.0, 1.0)
    return model.eval()
''',
}
