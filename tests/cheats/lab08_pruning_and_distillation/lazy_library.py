"""Lazy submission: PyTorch's pruning method as the magnitude mask, PyTorch's KL loss as the soft term.

``magnitude_mask`` asks ``torch.nn.utils.prune.L1Unstructured`` for the mask (a tiny index-proportional nudge of
the magnitudes makes its topk break ties the way the part asks); ``kd_loss`` uses ``nn.KLDivLoss``. Both are switched off in the tests. Global pruning (Part 2, the
reference's) and fine-tuning (Part 6, the reference's) call ``magnitude_mask``, so they lose their points with
it: Parts 1, 2, 5 and 6 must score 0, Parts 3 and 4 keep theirs.
"""

KIND = "lazy: torch.nn.utils.prune.L1Unstructured as magnitude_mask, nn.KLDivLoss in kd_loss"
BASE = "reference"
FAIL = {"test_magnitude", "test_global_magnitude", "test_kd_loss", "test_prune_finetune"}

CELLS = {
    "magnitude": '''
import torch.nn.utils.prune as prune


def magnitude_mask(w, sparsity):
    if not 0.0 <= float(sparsity) <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    k = int(round(float(sparsity) * w.numel()))
    # PyTorch's L1 pruning; a tiny index-proportional nudge makes its topk prune the lower index among ties
    scores = w.detach().abs().double() + 1e-9 * torch.arange(w.numel(), dtype=torch.float64).reshape(w.shape)
    method = prune.L1Unstructured(amount=k)
    return method.compute_mask(scores, torch.ones(w.shape, dtype=torch.bool)).bool()
''',
    "kd_loss": '''
from torch import nn


def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    if not T > 0 or not 0 <= alpha <= 1:
        raise ValueError(f"need T > 0 and 0 <= alpha <= 1, got T={T}, alpha={alpha}")
    kl = nn.KLDivLoss(reduction="batchmean", log_target=True)
    soft = kl(F.log_softmax(student_logits / T, dim=1), F.log_softmax(teacher_logits.detach() / T, dim=1))
    return alpha * T * T * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
''',
}
