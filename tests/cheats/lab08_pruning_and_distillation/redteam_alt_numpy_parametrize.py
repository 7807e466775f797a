"""Red team, a correct alternative (must get full marks; it did when checked, 100/100).

Part 1 ranks with NumPy's stable argsort; Part 2 slices the flat mask back by running offsets; Part 3 orders each
group with a stable descending argsort and scatters the mask, finds the kept positions by a second stable argsort
of the mask, and multiplies the gathered rows of x with a broadcast product and a sum; Part 4 cuts a state_dict with
index_select and loads it; Part 5 writes the KL from two log_softmax; Part 6 holds the masks with
``torch.nn.utils.parametrize`` (weight = original * mask in every forward) and bakes them in with
``remove_parametrizations``. Kept as a guard: fixes for the NumPy hole in Part 3 must not refuse NumPy in Part 1,
and Part 6's watch must keep accepting parametrized weights.
"""

KIND = 'alternative: NumPy argsort, argsort-based 2:4, state_dict cut, parametrize masks'
BASE = "reference"
EXPECT = "full"

CELLS = {
    "magnitude": '''
def magnitude_mask(w, sparsity):
    if not (0 <= sparsity <= 1):
        raise ValueError("sparsity must be in [0, 1]")
    a = w.detach().abs().reshape(-1).cpu().numpy()
    k = round(sparsity * a.size)
    order = np.argsort(a, kind="stable")
    keep = np.ones(a.size, dtype=bool)
    keep[order[:k]] = False
    return torch.from_numpy(keep).reshape(w.shape)
''',
    "global_magnitude": '''
def global_magnitude_masks(weights, sparsity):
    names = list(weights)
    flat = torch.cat([weights[k].detach().reshape(-1) for k in names])
    mask = magnitude_mask(flat, sparsity)
    out, start = {}, 0
    for k in names:
        n = weights[k].numel()
        out[k] = mask[start:start + n].reshape(weights[k].shape)
        start += n
    return out
''',
    "semi_structured": '''
def nm_mask(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    if C % m:
        raise ValueError("columns not a multiple of m")
    g = rows.abs().reshape(R, C // m, m)
    order = torch.argsort(g, dim=-1, descending=True, stable=True)
    keep = torch.zeros_like(g, dtype=torch.bool).scatter_(-1, order[..., :n], True)
    return keep.reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    keep = nm_mask(rows, n, m).reshape(R, C // m, m)
    pos = torch.sort(torch.argsort(keep.to(torch.int8), dim=-1, descending=True, stable=True)[..., :n], dim=-1).values
    vals = torch.gather(rows.reshape(R, C // m, m), -1, pos)
    return vals.reshape(R, -1), pos.reshape(R, -1).to(torch.int64)


def nm_matmul(values, indices, x, m=4):
    R, S = values.shape
    C = x.shape[0]
    n = S * m // C
    group = torch.arange(S) // n
    src = group * m + indices                  # (R, S) rows of x
    gathered = x[src]                          # (R, S, p)
    return (values.unsqueeze(-1) * gathered).sum(1)
''',
    "channel_pruning": '''
def channel_l1(conv_weight):
    return conv_weight.detach().abs().sum(dim=(1, 2, 3))


def prune_conv2_channels(model, keep):
    if not (1 <= keep <= model.c2):
        raise ValueError("keep out of range")
    scores = channel_l1(model.conv2.weight)
    order = torch.argsort(-scores, stable=True)
    kept = torch.sort(order[:keep]).values.to(torch.int64)
    cols = (kept.unsqueeze(1) * 16 + torch.arange(16)).reshape(-1)
    new = DigitsCNN(model.c1, keep, model.hidden)
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    sd["conv2.weight"] = sd["conv2.weight"].index_select(0, kept)
    sd["conv2.bias"] = sd["conv2.bias"].index_select(0, kept)
    sd["fc1.weight"] = sd["fc1.weight"].index_select(1, cols)
    new.load_state_dict(sd)
    new.eval()
    return new, kept
''',
    "kd_loss": '''
def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    if not (T > 0) or not (0 <= alpha <= 1):
        raise ValueError("bad T or alpha")
    log_ps = F.log_softmax(student_logits / T, dim=-1)
    log_pt = F.log_softmax(teacher_logits.detach() / T, dim=-1)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum(-1).mean()
    return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
''',
    "prune_finetune": '''
import torch.nn.utils.parametrize as parametrize


class Masked(torch.nn.Module):
    def __init__(self, mask):
        super().__init__()
        self.register_buffer("mask", mask)

    def forward(self, w):
        return w * self.mask


def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    p = dict(model.named_parameters())
    masks = global_magnitude_masks({k: p[k].detach() for k in WEIGHTS}, sparsity)
    for k, mk in masks.items():
        parametrize.register_parametrization(model.get_submodule(k.rsplit(".", 1)[0]), "weight", Masked(mk))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for b in torch.randperm(len(X), generator=g).split(64):
            opt.zero_grad()
            F.cross_entropy(model(X[b]), y[b]).backward()
            opt.step()
    for k in masks:
        parametrize.remove_parametrizations(model.get_submodule(k.rsplit(".", 1)[0]), "weight", leave_parametrized=True)
    return model.eval(), masks
''',
}
