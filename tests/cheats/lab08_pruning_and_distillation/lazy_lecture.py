"""Lazy submission: the lecture notebook 04_inference/03_model_compression pasted into the lab.

The lecture prunes with PyTorch's utilities and takes the distillation soft term from ``F.kl_div``. A student can
adapt that code to the lab's signatures: global masks from ``prune.global_unstructured`` on wrapper modules
(Part 2), 2:4 masks from ``torch.ao.pruning``'s ``WeightNormSparsifier`` (Part 3; the lecture used it until it
switched to a plain top-2-of-4 mask, which gives only the mask, not Part 3's compressed format and matmul), channels
chosen by
``prune.ln_structured`` (Part 4), the soft term as the lecture's ``F.kl_div(..., log_target=True)`` times T^2
(Part 5, teacher detached as the part asks), and pruning plus fine-tuning as the lecture's ``prune_global`` and
``finetune`` with ``prune.remove`` at the end (Part 6). None of it is the student's work: those five parts must
score 0. Part 1 is the reference's.
"""

KIND = "lazy: the lecture's code (torch.nn.utils.prune, WeightNormSparsifier, F.kl_div)"
BASE = "reference"
FAIL = {"test_global_magnitude", "test_semi_structured", "test_channel_pruning", "test_kd_loss", "test_prune_finetune"}

CELLS = {
    "global_magnitude": '''
import torch.nn.utils.prune as prune
from torch import nn


def global_magnitude_masks(weights, sparsity):
    # the lecture's prune_global, on one wrapper module per tensor
    holders = []
    for w in weights.values():
        holder = nn.Module()
        holder.weight = nn.Parameter(w.detach().clone())
        holders.append(holder)
    prune.global_unstructured([(h, "weight") for h in holders], pruning_method=prune.L1Unstructured, amount=sparsity)
    return {name: h.weight_mask.bool() for name, h in zip(weights, holders)}
''',
    "semi_structured": '''
from torch import nn
from torch.ao.pruning import WeightNormSparsifier


def nm_mask(w, n=2, m=4):
    # the lecture's prune_two_four: PyTorch's sparsifier on the weight's 2-D GEMM view
    rows = w.detach().reshape(w.shape[0], -1)
    if rows.shape[1] % m:
        raise ValueError("columns must be a multiple of m")
    view = nn.ModuleDict({"layer": nn.Linear(1, 1, bias=False)})
    view["layer"].weight = nn.Parameter(rows.clone())
    sparsifier = WeightNormSparsifier(sparsity_level=1.0, sparse_block_shape=(1, m), zeros_per_block=m - n)
    sparsifier.prepare(view, config=[{"tensor_fqn": "layer.weight"}])
    sparsifier.step()
    return view["layer"].parametrizations.weight[0].mask.bool().reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    mask = nm_mask(rows, n, m).reshape(rows.shape[0], -1, m)
    groups = rows.reshape(rows.shape[0], -1, m)
    positions = torch.arange(m).expand_as(groups)
    return groups[mask].reshape(rows.shape[0], -1), positions[mask].reshape(rows.shape[0], -1)


def nm_matmul(values, indices, x, m=4):
    rows, stored = values.shape
    n = stored * m // x.shape[0]
    source_rows = (torch.arange(stored) // n) * m + indices
    return torch.einsum("rs,rsp->rp", values, x[source_rows])
''',
    "channel_pruning": '''
import copy

import torch.nn.utils.prune as prune


def channel_l1(conv_weight):
    return conv_weight.detach().abs().flatten(1).sum(1)


def prune_conv2_channels(model, keep):
    # the lecture's prune_conv2_channels picks the channels; the lab's cut follows
    if not 1 <= keep <= model.c2:
        raise ValueError("keep out of range")
    probe = copy.deepcopy(model.conv2)
    prune.ln_structured(probe, "weight", amount=model.c2 - keep, n=1, dim=0)
    kept = torch.nonzero(probe.weight_mask.flatten(1).any(1)).flatten()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    state["conv2.weight"] = state["conv2.weight"][kept]
    state["conv2.bias"] = state["conv2.bias"][kept]
    state["fc1.weight"] = state["fc1.weight"][:, (kept[:, None] * 16 + torch.arange(16)).flatten()]
    new_model = DigitsCNN(model.c1, keep, model.hidden)
    new_model.load_state_dict(state)
    return new_model.eval(), kept
''',
    "kd_loss": '''
def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    # the lecture's soft term, times T^2, plus the hard term
    if not T > 0 or not 0 <= alpha <= 1:
        raise ValueError("need T > 0 and 0 <= alpha <= 1")
    soft = F.kl_div(F.log_softmax(student_logits / T, 1), F.log_softmax(teacher_logits.detach() / T, 1),
                    reduction="batchmean", log_target=True)
    return alpha * T * T * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
''',
    "prune_finetune": '''
import torch.nn.utils.prune as prune


def prune_and_finetune(model, X, y, sparsity, epochs=3, lr=1e-3, seed=0):
    # the lecture's prune_global + finetune: prune's pre-hooks keep the pruned weights at zero
    layers = [getattr(model, name.split(".")[0]) for name in WEIGHTS]
    prune.global_unstructured([(layer, "weight") for layer in layers], pruning_method=prune.L1Unstructured,
                              amount=sparsity)
    masks = {name: layer.weight_mask.bool().clone() for name, layer in zip(WEIGHTS, layers)}
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=gen).split(64):
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    for layer in layers:
        prune.remove(layer, "weight")
    return model.eval(), masks
''',
}
