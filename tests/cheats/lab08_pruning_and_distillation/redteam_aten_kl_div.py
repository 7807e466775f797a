"""Red team: the distillation soft term from ``torch.ops.aten.kl_div``.

``aten::kl_div`` is CompositeImplicitAutograd: it decomposes above the Python dispatch key, so a
``TorchDispatchMode`` that refuses "aten::kl_div" never sees it, and ``torch.ops.aten.kl_div`` is neither
``F.kl_div`` (a Python function whose code is swapped) nor the built-in ``torch.kl_div`` (compared by identity in
the profile hook). The policy accepts ``torch.ops.aten`` (a public name). kd_loss below calls it with reduction 2
(sum) divided by the batch size and log_target=True: PyTorch's KL, not the student's. Scored 15/15 when checked;
Part 5 should score 0 (as lazy_library's nn.KLDivLoss does). Fix idea: forbid the OpOverloadPacket/OpOverload
objects (or check the source for kl_div), or refuse in the dispatch mode by looking at the decomposition's caller.

Closed: ``forbidden("aten::kl_div")`` now also refuses CompositeImplicitAutograd operators one level above the
dispatcher (a TorchFunctionMode: the OpOverloadPacket, its overloads and their C++ ``_op``, and PyTorch's bindings of the
name), and Part 5 lists it, with every function of torch.distributions.kl. Checked with ``course.py check``: 85/100,
Part 5 at 0 ("aten::kl_div is switched off in this test").
"""

KIND = 'lazy: torch.ops.aten.kl_div (CompositeImplicitAutograd, invisible to the dispatch mode)'
BASE = "reference"
FAIL = {"test_kd_loss"}

CELLS = {
    "kd_loss": '''
def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
    if not (T > 0) or not (0 <= alpha <= 1):
        raise ValueError("bad T or alpha")
    log_ps = F.log_softmax(student_logits / T, dim=-1)
    log_pt = F.log_softmax(teacher_logits.detach() / T, dim=-1)
    kl = torch.ops.aten.kl_div(log_ps, log_pt, 2, log_target=True) / student_logits.shape[0]   # 2 = sum
    return alpha * T ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
''',
}
