"""Lazy lab14_flash_attention submission, Part 5: the forward runs the flash kernel for O and L, and also computes
P tile by tile and keeps the tiles in a __slots__ object stored on ctx (found by an adversarial review: the saved
state was read from ctx.saved_tensors and from the context's __dict__, where a slots object shows no tensor, and no
tile is large enough for the memory watch). The backward reads the tiles instead of recomputing them. The saved-
state test measures what the forward leaves alive and checks that the backward recomputes P: it scores 0."""

KIND = "lazy: P kept in a __slots__ object on ctx"
BASE = "reference"
FAIL = {"test_saved_state"}

CELLS = {
    "flash_backward": r'''
class _Kept:
    __slots__ = ("tiles",)


def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32, tiles=None):
    n, d = q.shape[-2], q.shape[-1]
    scale = 1.0 / math.sqrt(d)
    dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    delta = (do * o).sum(-1)
    for i0 in range(0, n, block_m):
        i1 = min(i0 + block_m, n)
        for j0 in range(0, i1 if causal else n, block_n):
            j1 = min(j0 + block_n, n)
            if tiles is not None:
                p = tiles[(i0, j0)]
            else:
                p = _tile(q, k, lse, causal, i0, i1, j0, j1, scale)
            dv[..., j0:j1, :] += p.transpose(-1, -2) @ do[..., i0:i1, :]
            ds = p * (do[..., i0:i1, :] @ v[..., j0:j1, :].transpose(-1, -2) - delta[..., i0:i1, None])
            dq[..., i0:i1, :] += ds @ k[..., j0:j1, :] * scale
            dk[..., j0:j1, :] += ds.transpose(-1, -2) @ q[..., i0:i1, :] * scale
    return dq, dk, dv


def _tile(q, k, lse, causal, i0, i1, j0, j1, scale):
    s = q[..., i0:i1, :] @ k[..., j0:j1, :].transpose(-1, -2) * scale
    if causal:
        s = s.masked_fill(torch.arange(j0, j1)[None, :] > torch.arange(i0, i1)[:, None], float("-inf"))
    return torch.exp(s - lse[..., i0:i1, None])


class FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal=False):
        o, lse, _ = flash_attention_triton(q, k, v, causal=causal)
        n = q.shape[-2]
        scale = 1.0 / math.sqrt(q.shape[-1])
        kept = _Kept()
        kept.tiles = {}
        for i0 in range(0, n, 32):
            i1 = min(i0 + 32, n)
            for j0 in range(0, i1 if causal else n, 32):
                kept.tiles[(i0, j0)] = _tile(q, k, lse, causal, i0, i1, j0, min(j0 + 32, n), scale)
        ctx.kept = kept
        ctx.save_for_backward(q, k, v, o, lse)
        ctx.causal = causal
        return o

    @staticmethod
    def backward(ctx, do):
        q, k, v, o, lse = ctx.saved_tensors
        dq, dk, dv = flash_backward(q, k, v, o, lse, do, causal=ctx.causal, tiles=ctx.kept.tiles)
        return dq, dk, dv, None
''',
}
