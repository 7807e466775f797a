"""Lazy lab14_flash_attention submission, Part 5: the backward "recomputes" P -- all of it at once, as an N x N
matrix per head, from the saved log-sum-exp. Gradients are right and it saves only O and L (so the saved-state test
passes), but the memory watch sees the N x N tensors during the backward: the gradient test scores 0."""

KIND = "lazy: backward rebuilds the whole N x N P"
BASE = "reference"
FAIL = {"test_flash_backward"}

CELLS = {
    "flash_backward": r'''
def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32):
    n = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    s = q @ k.transpose(-1, -2) * scale
    if causal:
        s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
    p = torch.exp(s - lse[..., None])
    dv = p.transpose(-1, -2) @ do
    ds = p * (do @ v.transpose(-1, -2) - (do * o).sum(-1, keepdim=True))
    return ds @ k * scale, ds.transpose(-1, -2) @ q * scale, dv


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
        dq, dk, dv = flash_backward(q, k, v, o, lse, do, causal=ctx.causal)
        return dq, dk, dv, None
''',
}
