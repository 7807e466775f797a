"""A second correct solution, vectorised where the reference loops and looping where it vectorises (full marks).

Part 2 takes channel maxima with ``amax`` over a reshaped view and ``torch.where``; Part 3 uses ``torch.quantile``
in float64; Part 4 computes the divergences of all candidates at once (one row per candidate, levels by
ceil((k+1) L / i) - 1, ``scatter_add_``) and lets NumPy warn about log(0) before it handles the infinite
divergences (a RuntimeWarning on standard error, which must not cost points); Part 5 accumulates the product one
rank-1 update at a time in int32 and applies the zero point as a per-column correction; Part 6 saves a float
mask; Part 7 runs the layers explicitly with ``F.conv2d``/``F.linear`` and calibrates through ``model.features``;
Part 8 binarises with ``x.ge(0) * 2 - 1`` and ``masked_fill``, computes the layer from broadcast products (no matrix
product) with alpha a constant, and trains over ``torch.split`` mini-batches with the NLL of a log-softmax.
Part 1 is the reference's.
"""

KIND = "alternative: all-candidates KL, rank-1 int32 updates, explicit layers, NumPy warning"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "per_channel": '''
def quantize_per_channel(w, qmax=127):
    if w.dim() < 2:
        raise ValueError(f"expected >= 2 dimensions, got {w.dim()}")
    w = w.detach()
    flat = w.reshape(w.shape[0], -1)
    amax = flat.abs().amax(dim=1)
    scales = torch.where(amax == 0, torch.ones_like(amax), amax / qmax).to(torch.float32)
    q = (flat / scales[:, None]).round().clamp(-qmax, qmax).to(torch.int32).reshape(w.shape)
    return q, scales
''',
    "calibration_simple": '''
def calibrate_minmax(x):
    lo, hi = torch.aminmax(x.detach())
    return float(lo), float(hi)


def calibrate_percentile(x, p=99.99):
    if not (0 < p <= 100):
        raise ValueError(f"p must be in (0, 100], got {p}")
    return torch.quantile(x.detach().abs().flatten().double(), p / 100.0).item()
''',
    "calibration_kl": '''
def _divergences(hist, levels, first, last):
    # KL(P || Q) for candidates i = first..last at once: one row per candidate, one column per bin
    h = torch.as_tensor(np.asarray(hist, dtype=np.float64))
    i = torch.arange(first, last + 1)[:, None]
    k = torch.arange(len(h))[None, :]
    kept = k < i
    tail = torch.cat([h.flip(0).cumsum(0).flip(0), h.new_zeros(1)])
    p = torch.where(kept, h, 0.0) + torch.where(k == i - 1, tail[i], 0.0)
    level = torch.where(kept, ((k + 1) * levels + i - 1) // i - 1, levels)
    nonzero = p > 0
    mass = h.new_zeros(len(i), levels + 1).scatter_add_(1, level, torch.where(kept, h, 0.0))
    count = h.new_zeros(len(i), levels + 1).scatter_add_(1, level, nonzero.double())
    q = torch.where(nonzero, (mass / count.clamp_min(1)).gather(1, level), 0.0)
    pn = (p / p.sum(1, keepdim=True)).numpy()
    qn = (q / q.sum(1, keepdim=True)).numpy()
    logs = np.log(pn / qn)                                 # warns for 0/0 and x/0; handled below
    terms = np.where(nonzero.numpy(), pn * logs, 0.0)
    kl = terms.sum(1)
    kl[(nonzero & (q == 0)).any(1).numpy()] = np.inf
    return kl


def kl_for_candidate(hist, i, num_quant_bins=128):
    if not (num_quant_bins <= i <= len(hist)):
        raise ValueError(f"i must be in [{num_quant_bins}, {len(hist)}], got {i}")
    return float(_divergences(hist, num_quant_bins, i, i)[0])


def calibrate_kl(hist, amax, num_quant_bins=128):
    kl = _divergences(hist, num_quant_bins, num_quant_bins, len(hist))
    return float((num_quant_bins + int(np.argmin(kl))) * amax / len(hist))
''',
    "integer_gemm": '''
def int_matmul(qa, qb):
    if qa.dtype is not torch.int8 or qb.dtype is not torch.int8:
        raise ValueError("both operands must be torch.int8")
    if qa.dim() != 2 or qb.dim() != 2 or qa.size(1) != qb.size(0):
        raise ValueError("expected (M, K) @ (K, N)")
    a, b = qa.to(torch.int32), qb.to(torch.int32)
    acc = torch.zeros(a.size(0), b.size(1), dtype=torch.int32)
    for k in range(a.size(1)):                               # one rank-1 update per k, in int32
        acc += a[:, k:k + 1] * b[k:k + 1, :]
    return acc


def requantize(acc, multiplier, zero_point, qmin=-128, qmax=127):
    scaled = acc.to(torch.float64) * torch.as_tensor(multiplier, dtype=torch.float64)
    return (scaled.round() + zero_point).clamp(qmin, qmax).to(torch.int8)


def quantized_linear(qx, x_scale, x_zp, qw, w_scales, bias, y_scale, y_zp):
    w32 = qw.to(torch.int32)
    acc = int_matmul(qx, qw.T.contiguous()) - x_zp * w32.sum(dim=1)[None, :]
    s_acc = torch.as_tensor(w_scales, dtype=torch.float64) * x_scale
    if bias is not None:
        acc += (torch.as_tensor(bias, dtype=torch.float64) / s_acc).round().to(torch.int32)
    return requantize(acc, s_acc / y_scale, y_zp)
''',
    "fake_quant": '''
class FakeQuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, zero_point, qmin, qmax):
        q = torch.round(x / scale) + zero_point
        ctx.save_for_backward(((q >= qmin) & (q <= qmax)).to(x.dtype))
        return scale * (q.clamp(min=qmin, max=qmax) - zero_point)

    @staticmethod
    def backward(ctx, grad_out):
        inside, = ctx.saved_tensors
        return grad_out * inside, None, None, None, None


def fake_quant(x, scale, zero_point, qmin=-128, qmax=127):
    return FakeQuantSTE.apply(x, scale, zero_point, qmin, qmax)
''',
    "int8_cnn": '''
LAYERS = ("conv1", "conv2", "fc1", "fc2")


def calibrate_activations(model, X_calib):
    with torch.no_grad():
        after_conv1 = torch.relu(model.conv1(X_calib))
        pooled = model.features(X_calib)
        hidden = torch.relu(model.fc1(pooled))
    inputs = dict(zip(LAYERS, (X_calib, after_conv1, pooled, hidden)))
    return {name: affine_qparams(*calibrate_minmax(a)) for name, a in inputs.items()}


def int8_forward(model, x, act_qparams):
    weights = {}
    for name in LAYERS:
        w = getattr(model, name).weight
        q, s = quantize_per_channel(w)
        weights[name] = q.to(w.dtype) * s.to(w.dtype).reshape(-1, *([1] * (w.dim() - 1)))
    fq = lambda h, name: fake_quant(h, act_qparams[name][0], act_qparams[name][1], -128, 127)
    with torch.no_grad():
        h = F.relu(F.conv2d(fq(x, "conv1"), weights["conv1"], model.conv1.bias, padding=1))
        h = F.relu(F.conv2d(fq(h, "conv2"), weights["conv2"], model.conv2.bias, padding=1))
        h = F.max_pool2d(h, kernel_size=2).reshape(len(x), -1)
        h = F.relu(F.linear(fq(h, "fc1"), weights["fc1"], model.fc1.bias))
        return F.linear(fq(h, "fc2"), weights["fc2"], model.fc2.bias)
''',
    "binary_net": '''
class BinarizeSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.ge(0).to(x.dtype) * 2 - 1

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out.masked_fill(x.abs() > 1, 0)


def binarize(x):
    return BinarizeSTE.apply(x)


class BinaryLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-1.0, 1.0))

    def forward(self, x):
        with torch.no_grad():
            alpha = self.weight.abs().mean(dim=-1)              # a constant in the backward pass
        w_b = BinarizeSTE.apply(self.weight) * alpha[:, None]
        return (x[:, None, :] * w_b[None, :, :]).sum(dim=-1)     # broadcast products, no matrix multiply


def train_binary(model, X, y, epochs=10, lr=0.01, batch_size=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    binary_layers = [m for m in model.modules() if isinstance(m, BinaryLinear)]
    model.train()
    for epoch in range(epochs):
        for idx in torch.split(torch.randperm(X.shape[0], generator=generator), batch_size):
            optimizer.zero_grad(set_to_none=True)
            F.nll_loss(F.log_softmax(model(X[idx]), dim=1), y[idx]).backward()
            optimizer.step()
            for layer in binary_layers:
                layer.weight.data.clamp_(min=-1.0, max=1.0)
    return model.eval()
''',
}
