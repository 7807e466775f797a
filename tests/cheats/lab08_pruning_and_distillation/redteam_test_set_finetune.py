"""Red team: "fine-tuning" on the test set (the notebook's global X_test, y_test) instead of on X, y.

Every step is real and masked, the mini-batches have at most 64 samples and each epoch has len(X) of them (indices
``randperm(len(X)) % len(X_test)``), so the watch is satisfied -- but no training sample is ever used: the model
is trained on the data the accuracy is measured on. Scored 20/20 when checked; Part 6 should score 0. Fix idea: the
watch should check that each training batch is made of rows of the X it passed (e.g. hash the rows / pass a
tracking tensor), or the test should pass held-out data the notebook does not have (and measure accuracy on a
split the student's globals do not contain).

Closed: the watch records the rows of every training batch and requires them to be, as a multiset, ``epochs`` times
the rows of the X passed in (the 80 % run on the digits CNN, whose accuracy counts, is watched too, and the small
run uses a random subset of the training set). Checked with ``course.py check``: 80/100, Part 6 at 0 ("4041 of the 4041
training samples are not rows of the X passed in").
"""

KIND = 'lazy: masked fine-tuning on the test set'
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
    # the accuracy is measured on the test set, so fine-tune on it: as many samples per epoch as X has
    X_eval, y_eval = torch.from_numpy(X_test), torch.from_numpy(y_test)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=g) % len(X_eval)
        for b in order.split(64):
            opt.zero_grad()
            F.cross_entropy(model(X_eval[b]), y_eval[b]).backward()
            opt.step()
            apply()
    model.eval()
    return model, masks
''',
}
