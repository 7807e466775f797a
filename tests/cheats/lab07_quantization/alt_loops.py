"""A correct solution written differently from the reference, part by part (must get full marks).

Part 1 converts with ``torch.tensor(tensor, dtype=...)`` (PyTorch warns that copy-constructing a tensor should use
``clone().detach()``: a harmless UserWarning on standard error, which must not cost points) and computes in
float64 with NumPy's rounding; Part 2 quantizes channel by channel with the Part 1 functions; Part 3 sorts and
interpolates by hand; Part 4 assigns bins to levels with ``np.searchsorted`` and sums them with ``np.bincount``;
Part 5 accumulates broadcast int64 products and subtracts the zero point first; Part 6 saves the input and
rebuilds the mask in the backward pass; Part 7 records layer inputs with forward pre-hooks and runs a deep copy
of the model whose weights are replaced and whose inputs are fake-quantized by hooks; Part 8 takes the sign as
``torch.sign(x) + (x == 0)``, keeps the STE's window as a float mask, multiplies the +-1 product by alpha afterwards
(XNOR-Net's order) and lets alpha's gradient flow, and trains with Adam written out by hand over a NumPy shuffle.
"""

KIND = "alternative: loops, hooks, float64 and NumPy, copy-construct warning"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "quantization_basics": '''
def affine_qparams(xmin, xmax, qmin=-128, qmax=127):
    lo, hi = float(xmin), float(xmax)
    if not qmin < qmax:
        raise ValueError("qmin must be below qmax")
    if hi < lo:
        raise ValueError("xmin must not exceed xmax")
    lo, hi = (lo if lo < 0 else 0.0), (hi if hi > 0 else 0.0)
    if hi == lo:
        return 1.0, int(np.clip(0, qmin, qmax))
    scale = (hi - lo) / float(qmax - qmin)
    return float(scale), int(np.clip(qmin - np.round(lo / scale), qmin, qmax))


def symmetric_qparams(absmax, qmax=127):
    if absmax < 0 or qmax < 1:
        raise ValueError("need absmax >= 0 and qmax >= 1")
    return float(absmax) / qmax if absmax != 0 else 1.0


def quantize(x, scale, zero_point, qmin=-128, qmax=127):
    x = torch.tensor(x, dtype=torch.float64)          # copy-constructs: PyTorch warns, harmlessly
    q = torch.round(x / scale).add_(zero_point).clamp_(qmin, qmax)
    return q.int()


def dequantize(q, scale, zero_point):
    q = torch.tensor(q, dtype=torch.float64)
    return q.sub(zero_point).mul(scale).float()
''',
    "per_channel": '''
def quantize_per_channel(w, qmax=127):
    if w.ndim < 2:
        raise ValueError("quantize_per_channel needs a weight with at least 2 dimensions")
    rows, scales = [], []
    for channel in w.detach():
        s = symmetric_qparams(channel.abs().max().item(), qmax)
        rows.append(quantize(channel, s, 0, -qmax, qmax))
        scales.append(s)
    return torch.stack(rows), torch.tensor(scales, dtype=torch.float32)
''',
    "calibration_simple": '''
def calibrate_minmax(x):
    values = x.detach().flatten()
    return values.min().item(), values.max().item()


def calibrate_percentile(x, p=99.99):
    if p <= 0 or p > 100:
        raise ValueError("p must be in (0, 100]")
    v = x.detach().abs().flatten().double().sort().values
    rank = (p / 100.0) * (len(v) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(v) - 1)
    frac = rank - lo
    return float(v[lo] + (v[hi] - v[lo]) * frac)
''',
    "calibration_kl": '''
def kl_for_candidate(hist, i, num_quant_bins=128):
    h = np.array(hist, dtype=np.float64)
    if i < num_quant_bins or i > h.size:
        raise ValueError("need num_quant_bins <= i <= len(hist)")
    p = h[:i].copy()
    p[-1] += h[i:].sum()
    starts = (np.arange(num_quant_bins) * i) // num_quant_bins
    level = np.searchsorted(starts, np.arange(i), side="right") - 1      # the group each bin belongs to
    mass = np.bincount(level, weights=h[:i], minlength=num_quant_bins)
    used = np.bincount(level, weights=(p > 0).astype(float), minlength=num_quant_bins)
    q = np.zeros(i)
    nz = p > 0
    q[nz] = mass[level[nz]] / used[level[nz]]
    if (q[nz] == 0).any():
        return float("inf")
    p_n, q_n = p[nz] / p.sum(), q[nz] / q.sum()
    return float((p_n * np.log(p_n / q_n)).sum())


def calibrate_kl(hist, amax, num_quant_bins=128):
    best_i, best_kl = None, float("inf")
    for i in range(num_quant_bins, len(hist) + 1):
        kl = kl_for_candidate(hist, i, num_quant_bins)
        if best_i is None or kl < best_kl:
            best_i, best_kl = i, kl
    return best_i * float(amax) / len(hist)
''',
    "integer_gemm": '''
def int_matmul(qa, qb):
    for t in (qa, qb):
        if not isinstance(t, torch.Tensor) or t.dtype != torch.int8 or t.ndim != 2:
            raise ValueError("int_matmul takes two 2-D torch.int8 tensors")
    if qa.shape[1] != qb.shape[0]:
        raise ValueError("inner sizes differ")
    products = qa.long()[:, :, None] * qb.long()[None, :, :]      # (M, K, N) exact int64 products
    return products.sum(dim=1).int()


def requantize(acc, multiplier, zero_point, qmin=-128, qmax=127):
    m = multiplier if isinstance(multiplier, torch.Tensor) else torch.tensor(float(multiplier), dtype=torch.float64)
    y = torch.round(acc.double() * m.double()) + zero_point
    return y.clamp(qmin, qmax).to(torch.int8)


def quantized_linear(qx, x_scale, x_zp, qw, w_scales, bias, y_scale, y_zp):
    x_centered = qx.to(torch.int32) - int(x_zp)                     # zero point removed before the product
    acc = torch.einsum("mk,nk->mn", x_centered, qw.to(torch.int32))
    acc_scale = float(x_scale) * w_scales.double()
    if bias is not None:
        acc = acc + torch.round(bias.double() / acc_scale).int()
    return requantize(acc, acc_scale / float(y_scale), y_zp)
''',
    "fake_quant": '''
class FakeQuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, zero_point, qmin, qmax):
        ctx.save_for_backward(x)
        ctx.qparams = (scale, zero_point, qmin, qmax)
        q = torch.round(x / scale) + zero_point
        return (q.clamp(qmin, qmax) - zero_point) * scale

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        scale, zero_point, qmin, qmax = ctx.qparams
        q = torch.round(x / scale) + zero_point
        inside = (q >= qmin) & (q <= qmax)
        return torch.where(inside, grad_out, torch.zeros_like(grad_out)), None, None, None, None


def fake_quant(x, scale, zero_point, qmin=-128, qmax=127):
    return FakeQuantSTE.apply(x, scale, zero_point, qmin, qmax)
''',
    "int8_cnn": '''
import copy

LAYERS = ("conv1", "conv2", "fc1", "fc2")


def calibrate_activations(model, X_calib):
    seen = {}
    handles = [getattr(model, name).register_forward_pre_hook(
        lambda module, args, name=name: seen.update({name: args[0].detach()})) for name in LAYERS]
    try:
        with torch.no_grad():
            model(X_calib)
    finally:
        for handle in handles:
            handle.remove()
    return {name: affine_qparams(*calibrate_minmax(seen[name])) for name in LAYERS}


def int8_forward(model, x, act_qparams):
    qmodel = copy.deepcopy(model)
    with torch.no_grad():
        for name in LAYERS:
            layer = getattr(qmodel, name)
            q, s = quantize_per_channel(layer.weight)
            layer.weight.copy_(q.float() * s.reshape((-1,) + (1,) * (layer.weight.dim() - 1)))
            layer.register_forward_pre_hook(lambda module, args, p=act_qparams[name]: (fake_quant(args[0], *p),))
        return qmodel(x)
''',
    "binary_net": '''
class BinarizeSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        inside = ((x >= -1) & (x <= 1)).to(x.dtype)        # the clipped-STE window, kept as a float mask
        ctx.save_for_backward(inside)
        return torch.sign(x) + (x == 0).to(x.dtype)        # sign, with sign(0) = +1

    @staticmethod
    def backward(ctx, grad_out):
        inside, = ctx.saved_tensors
        return torch.where(inside > 0, grad_out, torch.zeros_like(grad_out))


def binarize(x):
    return BinarizeSTE.apply(x)


class BinaryLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-1.0, 1.0))

    def forward(self, x):
        # XNOR-Net's order: the +-1 product first, then one multiply by alpha_n per output; alpha is differentiated
        alpha = self.weight.abs().sum(dim=1) / self.in_features
        return (x @ BinarizeSTE.apply(self.weight).t()) * alpha


def train_binary(model, X, y, epochs=10, lr=0.01, batch_size=64, seed=0):
    # Adam written out by hand, one parameter at a time
    params = [p for p in model.parameters() if p.requires_grad]
    latent = {id(m.weight) for m in model.modules() if isinstance(m, BinaryLinear)}
    m1 = [torch.zeros_like(p) for p in params]
    m2 = [torch.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    rng = np.random.default_rng(seed)
    step = 0
    model.train()
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = torch.from_numpy(order[start:start + batch_size])
            for p in params:
                p.grad = None
            F.cross_entropy(model(X[idx]), y[idx]).backward()
            step += 1
            with torch.no_grad():
                for p, a, b in zip(params, m1, m2):
                    if p.grad is None:
                        continue
                    a.mul_(beta1).add_(p.grad, alpha=1 - beta1)
                    b.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                    a_hat, b_hat = a / (1 - beta1 ** step), b / (1 - beta2 ** step)
                    p.sub_(lr * a_hat / (b_hat.sqrt() + eps))
                    if id(p) in latent:
                        p.copy_(torch.where(p > 1, torch.ones_like(p), torch.where(p < -1, -torch.ones_like(p), p)))
    model.eval()
    return model
''',
}
