"""Red team: one epoch of masked fine-tuning, then forward passes only.

The Part 6 watch counts the model's training-mode mini-batches, not the optimizer steps that use them: after one
real epoch (which already reaches 0.969 at 80 %, against 0.96 needed) the later epochs only run ``model(X[b])``
with no backward and no step. A third of the training asked for, at full marks: scored 20/20 when checked. Part 6
should score 0. Fix idea: count optimizer steps (or backward passes reaching the watched parameters) per epoch,
and check each step's gradient came from the batch just seen.

Closed: the watched model now counts as a training step only a forward pass that a backward pass comes back through
(a hook on its output), requires the steps to cover X once per epoch, and every weight and bias to move between one
step and the next (an optimizer step per mini-batch); the digits CNN at 80 % is now trained under the watch too.
Checked with ``course.py check``: 80/100, Part 6 at 0 ("the training steps (forward and backward) saw 1347
samples ...; 3 epochs over the 1347 samples of X use each sample once per epoch").
"""

KIND = 'lazy: one real fine-tuning epoch, later epochs forward-only'
BASE = "reference"
FAIL = {"test_prune_finetune"}

CELLS = {
    "prune_finetune": '''
def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    p = dict(model.named_parameters())
    masks = global_magnitude_masks({k: p[k].detach() for k in WEIGHTS}, sparsity)
    def apply():
        with torch.no_grad():
            for k, mk in masks.items():
                p[k].mul_(mk)
    apply()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    model.train()
    for epoch in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), 64):
            b = perm[i:i + 64]
            loss = F.cross_entropy(model(X[b]), y[b])
            if epoch == 0:                 # one epoch is enough for the accuracy; later epochs only run forward
                opt.zero_grad()
                loss.backward()
                opt.step()
                apply()
    model.eval()
    return model, masks
''',
}
