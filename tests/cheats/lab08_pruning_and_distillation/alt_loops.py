"""A correct solution written differently from the reference (must get full marks).

Part 1 sorts with ``torch.sort(stable=True)`` and ``index_fill_``; Part 2 splits with ``torch.split``; Part 3 loops
over the groups of columns for the mask, finds the kept columns with ``nonzero`` and multiplies one stored slot at
a time (one multiplication per stored value and column of x, like the reference's gather); Part 4 ranks channels
with Python's ``sorted`` and copies the kept filters into the new model's parameters; Part 5 writes the soft term
as soft-target cross-entropy minus the teacher's entropy; Part 6 masks the gradients with tensor hooks instead of
re-applying the masks (with Adam, a weight whose gradient is always zero never moves).
"""

KIND = "alternative: loops, soft-target CE minus entropy, gradient-masking hooks"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "magnitude": '''
def magnitude_mask(w, sparsity):
    if sparsity < 0 or sparsity > 1:
        raise ValueError("sparsity must lie in [0, 1]")
    flat = w.detach().reshape(-1).abs()
    k = round(float(sparsity) * flat.numel())
    _, order = torch.sort(flat, stable=True)
    keep = torch.ones(flat.numel(), dtype=torch.bool)
    keep.index_fill_(0, order[:k], False)
    return keep.reshape(w.shape)
''',
    "global_magnitude": '''
def global_magnitude_masks(weights, sparsity):
    names = list(weights)
    sizes = [weights[name].numel() for name in names]
    flat_mask = magnitude_mask(torch.cat([weights[name].detach().reshape(-1) for name in names]), sparsity)
    return {name: part.reshape(weights[name].shape) for name, part in zip(names, torch.split(flat_mask, sizes))}
''',
    "semi_structured": '''
def nm_mask(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    if C % m != 0:
        raise ValueError(f"{C} columns is not a multiple of m={m}")
    mask = torch.zeros(R, C, dtype=torch.bool)
    for start in range(0, C, m):
        block = rows[:, start:start + m].abs()
        best = torch.sort(block, dim=1, descending=True, stable=True).indices[:, :n]
        mask[:, start:start + m] = torch.zeros(R, m, dtype=torch.bool).scatter(1, best, True)
    return mask.reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    mask = nm_mask(rows, n, m)
    columns = torch.nonzero(mask)[:, 1].reshape(rows.shape[0], -1)      # row-major, so increasing columns
    return torch.gather(rows, 1, columns), columns % m


def nm_matmul(values, indices, x, m=4):
    R, S = values.shape
    n = S * m // x.shape[0]
    out = torch.zeros(R, x.shape[1], dtype=torch.result_type(values, x))
    for j in range(S):                                   # stored slot j sits in group j // n
        source = (j // n) * m + indices[:, j]
        out += values[:, j:j + 1] * x[source]
    return out
''',
    "channel_pruning": '''
def channel_l1(conv_weight):
    return torch.linalg.vector_norm(conv_weight.detach().flatten(1), ord=1, dim=1)


def prune_conv2_channels(model, keep):
    if not 1 <= keep <= model.c2:
        raise ValueError(f"keep must be in [1, {model.c2}]")
    scores = channel_l1(model.conv2.weight).tolist()
    ranked = sorted(range(model.c2), key=lambda c: (-scores[c], c))
    kept = torch.tensor(sorted(ranked[:keep]), dtype=torch.int64)
    new = DigitsCNN(model.c1, keep, model.hidden)
    with torch.no_grad():
        new.conv1.weight.copy_(model.conv1.weight)
        new.conv1.bias.copy_(model.conv1.bias)
        new.conv2.weight.copy_(model.conv2.weight[kept])
        new.conv2.bias.copy_(model.conv2.bias[kept])
        new.fc1.weight.copy_(model.fc1.weight.reshape(model.hidden, model.c2, 16)[:, kept].reshape(model.hidden, -1))
        new.fc1.bias.copy_(model.fc1.bias)
        new.fc2.weight.copy_(model.fc2.weight)
        new.fc2.bias.copy_(model.fc2.bias)
    return new.eval(), kept
''',
    "kd_loss": '''
def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    if T <= 0 or alpha < 0 or alpha > 1:
        raise ValueError("T must be positive and alpha in [0, 1]")
    p_teacher = torch.softmax(teacher_logits.detach() / T, dim=-1)
    cross = F.cross_entropy(student_logits / T, p_teacher)               # -sum p_t log p_s, mean over the batch
    entropy = -torch.special.xlogy(p_teacher, p_teacher).sum(-1).mean()  # H(p_t): KL = CE - H
    return alpha * T ** 2 * (cross - entropy) + (1 - alpha) * F.cross_entropy(student_logits, labels)
''',
    "prune_finetune": '''
def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    params = dict(model.named_parameters())
    masks = global_magnitude_masks({name: params[name].detach() for name in WEIGHTS}, sparsity)
    handles = []
    with torch.no_grad():
        for name, mask in masks.items():
            params[name].masked_fill_(~mask, 0.0)
            handles.append(params[name].register_hook(lambda grad, mask=mask: grad * mask))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    try:
        for _ in range(epochs):
            for batch in torch.randperm(len(X), generator=gen).split(64):
                opt.zero_grad()
                F.cross_entropy(model(X[batch]), y[batch]).backward()
                opt.step()
    finally:
        for handle in handles:
            handle.remove()
    model.eval()
    return model, masks
''',
}
