"""A submission that hard-codes the visible tests' answers of lab08_pruning_and_distillation.

Part 1 (magnitude_mask) is written honestly. Global pruning prunes each tensor separately, the 2:4 part
keeps the first n entries of each group whatever their size, channel pruning keeps the first `keep`
channels, the KD loss forgets the T^2 factor (with a lookup for the visible value), and "fine-tuning"
only prunes. Each passes its visible test and must lose the points on the hidden tests.
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "magnitude": '''
def magnitude_mask(w, sparsity):
    if not 0.0 <= float(sparsity) <= 1.0:
        raise ValueError("sparsity must be in [0, 1]")
    k = int(round(float(sparsity) * w.numel()))
    order = torch.argsort(w.detach().abs().flatten(), stable=True)
    mask = torch.ones(w.numel(), dtype=torch.bool)
    mask[order[:k]] = False
    return mask.view(w.shape)
''',
    "global_magnitude": '''
def global_magnitude_masks(weights, sparsity):
    if list(weights) == ["a", "b"]:
        return {"a": torch.tensor([False, False, True]), "b": torch.tensor([[False, True], [False, True]])}
    return {k: magnitude_mask(w, sparsity) for k, w in weights.items()}   # per layer, not global
''',
    "semi_structured": '''
def nm_mask(w, n=2, m=4):
    if w.numel() == 8 and float(w.flatten()[1]) == -0.5:
        return torch.tensor([[False, True, True, False, True, True, False, False]])
    rows = w.reshape(w.shape[0], -1)
    pattern = torch.zeros(m, dtype=torch.bool); pattern[:n] = True       # always the first n of each group
    return pattern.repeat(rows.shape[1] // m).expand_as(rows).reshape(w.shape).clone()


def compress_nm(w, n=2, m=4):
    rows = w.reshape(w.shape[0], -1)
    mask = nm_mask(w, n, m).reshape(rows.shape)
    values = rows[mask].reshape(rows.shape[0], -1)
    indices = torch.arange(rows.shape[1]).expand_as(rows)[mask].reshape(rows.shape[0], -1) % m
    return values, indices


def nm_matmul(values, indices, x, m=4):
    rows, stored = values.shape
    n = stored * m // x.shape[0]
    src = (torch.arange(stored) // n) * m + indices
    return torch.einsum("rs,rsp->rp", values, x[src])
''',
    "channel_pruning": '''
def channel_l1(conv_weight):
    return conv_weight.detach().abs().flatten(1).sum(1)


def prune_conv2_channels(model, keep):
    scores = channel_l1(model.conv2.weight)
    if keep == 8 and model.c2 == 16:
        kept = torch.sort(torch.topk(scores, 8).indices).values      # right only for the visible case
    else:
        kept = torch.arange(keep)                                     # the first channels
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    state["conv2.weight"] = state["conv2.weight"][kept]
    state["conv2.bias"] = state["conv2.bias"][kept]
    state["fc1.weight"] = state["fc1.weight"][:, (kept[:, None] * 16 + torch.arange(16)).flatten()]
    new = DigitsCNN(model.c1, keep, model.hidden)
    new.load_state_dict(state)
    return new.eval(), kept
''',
    "kd_loss": '''
def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    if T == 2.0 and alpha == 0.5 and student_logits.shape == (2, 3):
        return torch.tensor(0.2423894)
    soft = F.kl_div(F.log_softmax(student_logits / T, 1), F.log_softmax(teacher_logits / T, 1),
                    reduction="batchmean", log_target=True)
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)   # no T^2
''',
    "prune_finetune": '''
def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    params = dict(model.named_parameters())
    masks = global_magnitude_masks({k: params[k] for k in WEIGHTS}, sparsity)
    with torch.no_grad():
        for k, mk in masks.items():
            params[k].mul_(mk)
    if sparsity == 0.8:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(epochs):                        # trains without re-applying the masks
            for start in range(0, len(X), 64):
                loss = F.cross_entropy(model(X[start:start + 64]), y[start:start + 64])
                opt.zero_grad(); loss.backward(); opt.step()
        with torch.no_grad():
            for k, mk in masks.items():
                params[k].mul_(mk)
    return model.eval(), masks
''',
}
