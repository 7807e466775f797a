"""Lazy lab14_flash_attention submission, Part 5: no backward formula at all -- flash_backward recomputes the
attention of each strip of block_m query rows against all keys with autograd switched back on, and asks
torch.autograd.grad for the gradients (found by an adversarial review: a strip is small enough for the memory
watch). The test runs flash_backward under torch.no_grad with inputs that do not require grad, watches for
operators run with autograd on, and counts the tiles of scores: the gradient test scores 0."""

KIND = "lazy: torch.autograd.grad on strips of rows"
BASE = "reference"
FAIL = {"test_flash_backward"}

CELLS = {
    "flash_backward": r'''
def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32):
    n, d = q.shape[-2], q.shape[-1]
    dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    with torch.enable_grad():
        kk, vv = k.detach().requires_grad_(), v.detach().requires_grad_()
        for i0 in range(0, n, block_m):
            i1 = min(i0 + block_m, n)
            qs = q[..., i0:i1, :].detach().requires_grad_()
            s = qs @ kk.transpose(-1, -2) / math.sqrt(d)
            if causal:
                s = s.masked_fill(torch.arange(n)[None, :] > torch.arange(i0, i1)[:, None], float("-inf"))
            e = torch.exp(s - s.max(-1, keepdim=True).values.detach())
            out = (e / e.sum(-1, keepdim=True)) @ vv
            gq, gk, gv = torch.autograd.grad(out, (qs, kk, vv), do[..., i0:i1, :])
            dq[..., i0:i1, :] = gq
            dk += gk
            dv += gv
    return dq, dk, dv


class FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal=False):
        o, lse, _ = flash_attention_triton(q, k, v, causal=causal)
        ctx.save_for_backward(q, k, v, o, lse)
        ctx.causal = causal
        return o

    @staticmethod
    def backward(ctx, do):
        q, k, v, o, lse = ctx.saved_tensors
        return (*flash_backward(q, k, v, o, lse, do, causal=ctx.causal), None)
''',
}
