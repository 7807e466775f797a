"""A second correct solution, vectorised differently (must get full marks).

Part 1 finds the k-th smallest magnitude with ``torch.kthvalue`` and breaks ties with a cumulative count; Part 3
ranks the entries of each group against each other (pairwise comparisons) instead of sorting, and multiplies the
gathered rows of x with a batched ``torch.bmm``; Part 5 computes the KL term with ``torch.special.xlogy``; Part 6
re-applies the masks with ``torch.where`` and copies each batch with ``torch.tensor(...)``, which makes PyTorch warn
(a harmless UserWarning on standard error, which must not cost points). Parts 2 and 4 are the reference's.
"""

KIND = "alternative: kthvalue, pairwise ranks, bmm, xlogy, torch.where masks, copy-construct warning"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "magnitude": '''
def magnitude_mask(w, sparsity):
    if not (0 <= sparsity <= 1):
        raise ValueError(f"sparsity {sparsity} outside [0, 1]")
    a = w.detach().abs().flatten()
    k = int(round(sparsity * a.numel()))
    if k == 0:
        return torch.ones(w.shape, dtype=torch.bool)
    threshold = torch.kthvalue(a, k).values
    below = a < threshold
    ties = a == threshold
    take = k - int(below.sum())                           # how many of the tied entries go, lowest index first
    pruned = below | (ties & (torch.cumsum(ties.int(), 0) <= take))
    return (~pruned).reshape(w.shape)
''',
    "semi_structured": '''
def nm_mask(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    if rows.shape[1] % m:
        raise ValueError("the number of columns must be a multiple of m")
    g = rows.abs().reshape(rows.shape[0], -1, m)
    mine, other = g[..., :, None], g[..., None, :]
    earlier = torch.arange(m)[None, :] < torch.arange(m)[:, None]       # [i, j]: j comes before i
    rank = ((other > mine) | ((other == mine) & earlier)).sum(-1)      # entries that beat entry i
    return (rank < n).reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    keep = nm_mask(rows, n, m).reshape(rows.shape[0], -1, m)
    grouped = rows.reshape(rows.shape[0], -1, m)
    values = grouped[keep].reshape(rows.shape[0], -1)
    indices = keep.nonzero()[:, 2].reshape(rows.shape[0], -1)
    return values, indices


def nm_matmul(values, indices, x, m=4):
    rows, stored = values.shape
    n = stored * m // x.shape[0]
    offsets = torch.div(torch.arange(stored), n, rounding_mode="floor") * m
    gathered = x.index_select(0, (offsets + indices).reshape(-1)).reshape(rows, stored, -1)
    return torch.bmm(values.unsqueeze(1), gathered).squeeze(1)
''',
    "kd_loss": '''
def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    if not (T > 0 and 0 <= alpha <= 1):
        raise ValueError(f"bad T={T} or alpha={alpha}")
    p_t = F.softmax(teacher_logits.detach() / T, dim=1)
    log_p_s = F.log_softmax(student_logits / T, dim=1)
    kl = (torch.special.xlogy(p_t, p_t) - p_t * log_p_s).sum(dim=1).mean()
    hard = F.cross_entropy(student_logits, labels)
    return alpha * T * T * kl + (1 - alpha) * hard
''',
    "prune_finetune": '''
def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    named = dict(model.named_parameters())
    masks = global_magnitude_masks({k: named[k] for k in WEIGHTS}, sparsity)

    def enforce():
        with torch.no_grad():
            for k, mask in masks.items():
                named[k].copy_(torch.where(mask, named[k], torch.zeros_like(named[k])))

    enforce()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(epochs):
        permutation = torch.randperm(X.shape[0], generator=generator)
        for first in range(0, X.shape[0], 64):
            batch = permutation[first:first + 64]
            xb = torch.tensor(X[batch])                      # copy-constructs: PyTorch warns, harmlessly
            loss = F.cross_entropy(model(xb), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            enforce()
    return model.eval(), masks
''',
}
