"""Lazy lab14_flash_attention submission, Part 5: the forward runs the flash kernel for O and L but also builds and
saves P (N x N per head) so that the backward is a few matrix products -- what autograd through the naive attention
does. The gradients are right; the saved state is N^2 per head and the forward builds an N x N tensor, so both
Part 5 tests score 0."""

KIND = "lazy: P saved for the backward"
BASE = "reference"
FAIL = {"test_flash_backward", "test_saved_state"}

CELLS = {
    "flash_backward": r'''
def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32, p=None):
    n = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    if p is None:
        dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
        for i0 in range(0, n, block_m):
            i1 = min(i0 + block_m, n)
            s = q[..., i0:i1, :] @ k.transpose(-1, -2) * scale
            if causal:
                s = s.masked_fill(torch.arange(n)[None, :] > torch.arange(i0, i1)[:, None], float("-inf"))
            pi = torch.exp(s - lse[..., i0:i1, None])
            dv += pi.transpose(-1, -2) @ do[..., i0:i1, :]
            ds = pi * (do[..., i0:i1, :] @ v.transpose(-1, -2) - (do[..., i0:i1, :] * o[..., i0:i1, :]).sum(-1, keepdim=True))
            dq[..., i0:i1, :] = ds @ k * scale
            dk += ds.transpose(-1, -2) @ q[..., i0:i1, :] * scale
        return dq, dk, dv
    dv = p.transpose(-1, -2) @ do
    ds = p * (do @ v.transpose(-1, -2) - (do * o).sum(-1, keepdim=True))
    return ds @ k * scale, ds.transpose(-1, -2) @ q * scale, dv


class FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal=False):
        o, lse, _ = flash_attention_triton(q, k, v, causal=causal)
        n = q.shape[-2]
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        if causal:
            s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
        p = torch.exp(s - lse[..., None])
        ctx.save_for_backward(q, k, v, o, lse, p)
        ctx.causal = causal
        return o

    @staticmethod
    def backward(ctx, do):
        q, k, v, o, lse, p = ctx.saved_tensors
        return (*flash_backward(q, k, v, o, lse, do, causal=ctx.causal, p=p), None)
''',
}
