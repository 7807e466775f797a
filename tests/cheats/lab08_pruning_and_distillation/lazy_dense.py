"""Lazy submission: a 2:4 matmul that rebuilds the dense matrix, and fine-tuning that masks once per epoch.

``nm_matmul`` scatters the stored values back into a dense ``W`` and calls ``W @ x``: the right numbers, but twice
the multiplications at 2:4 (four times at 1:4) and none of the saving the compressed format is for; the tests
watch nm_matmul's tensor operations. ``prune_and_finetune`` re-applies its masks only at the start of each epoch
(and at the end), so pruned weights come back to life during training; the final model is sparse and its
accuracy passes the visible test (0.962 against 0.96), but the tests watch the training steps of the model they
pass in. The answer cell also shadows the test's ``fp32_accuracy`` (the grader puts it back and says so).
"""

KIND = "lazy: dense rebuild in nm_matmul, masks re-applied once per epoch, fp32_accuracy shadowed"
BASE = "reference"
FAIL = {"test_semi_structured", "test_prune_finetune"}
REPORT = ("put back the global fp32_accuracy",)

CELLS = {
    "semi_structured": '''
def nm_mask(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    if rows.shape[1] % m:
        raise ValueError(f"the reduction dimension ({rows.shape[1]}) must be a multiple of m={m}")
    groups = rows.abs().reshape(rows.shape[0], -1, m)
    order = torch.argsort(-groups, dim=-1, stable=True)
    mask = torch.zeros(groups.shape, dtype=torch.bool)
    mask.scatter_(-1, order[..., :n], True)
    return mask.reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    mask = nm_mask(rows, n, m).reshape(rows.shape[0], -1, m)
    groups = rows.reshape(rows.shape[0], -1, m)
    positions = torch.arange(m).expand_as(groups)
    return groups[mask].reshape(rows.shape[0], -1), positions[mask].reshape(rows.shape[0], -1)


def nm_matmul(values, indices, x, m=4):
    # put the values back where they came from, then a dense product
    rows, stored = values.shape
    n = stored * m // x.shape[0]
    W = torch.zeros(rows, stored // n, m, dtype=values.dtype)
    W.scatter_(2, indices.reshape(rows, -1, n), values.reshape(rows, -1, n))
    return W.reshape(rows, -1) @ x
''',
    "prune_finetune": '''
fp32_accuracy = 0.0          # the visible test compares against this name


def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    params = dict(model.named_parameters())
    masks = global_magnitude_masks({name: params[name] for name in WEIGHTS}, sparsity)

    def apply_masks():
        with torch.no_grad():
            for name, mask in masks.items():
                params[name].mul_(mask)

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        apply_masks()                                   # once per epoch, not after every step
        order = torch.randperm(len(X), generator=gen)
        for start in range(0, len(X), 64):
            idx = order[start:start + 64]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    apply_masks()
    return model.eval(), masks
''',
}
