"""Lazy lab14_flash_attention submission, Part 5: the autograd Function saves only q, k, v, O and L on its context --
but its forward also builds P (in NumPy, float32) and keeps it in a module-level list, and the tiled backward reads
its tiles from there instead of recomputing them. The context shows nothing, but the memory watch of the forward sees
the N x N array, so the gradient test scores 0; and the saved-state test, which measures what the forward leaves alive
wherever it is kept and counts the exponentials the backward evaluates, scores 0 too."""

KIND = "lazy: P kept in a global instead of recomputed"
BASE = "reference"
FAIL = {"test_flash_backward", "test_saved_state"}

CELLS = {
    "flash_backward": r'''
_KEPT = []


def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32):
    n, d = q.shape[-2], q.shape[-1]
    scale = 1.0 / math.sqrt(d)
    kept = _KEPT.pop() if _KEPT else None
    dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    delta = (do * o).sum(-1)
    for i0 in range(0, n, block_m):
        i1 = min(i0 + block_m, n)
        for j0 in range(0, i1 if causal else n, block_n):
            j1 = min(j0 + block_n, n)
            if kept is not None:
                p = torch.from_numpy(kept[:, i0:i1, j0:j1].copy()).to(q.dtype)
            else:
                s = q[..., i0:i1, :] @ k[..., j0:j1, :].transpose(-1, -2) * scale
                if causal:
                    s = s.masked_fill(torch.arange(j0, j1)[None, :] > torch.arange(i0, i1)[:, None], float("-inf"))
                p = torch.exp(s - lse[..., i0:i1, None])
            dv[..., j0:j1, :] += p.transpose(-1, -2) @ do[..., i0:i1, :]
            ds = p * (do[..., i0:i1, :] @ v[..., j0:j1, :].transpose(-1, -2) - delta[..., i0:i1, None])
            dq[..., i0:i1, :] += ds @ k[..., j0:j1, :] * scale
            dk[..., j0:j1, :] += ds.transpose(-1, -2) @ q[..., i0:i1, :] * scale
    return dq, dk, dv


def _probabilities(q, k, lse, causal):
    qn, kn, ln = (t.detach().numpy() for t in (q, k, lse))
    n = qn.shape[-2]
    p = np.zeros((qn.shape[0], n, n), dtype=np.float32)
    for h in range(qn.shape[0]):
        s = qn[h] @ kn[h].T / math.sqrt(qn.shape[-1])
        if causal:
            s[np.triu_indices(n, 1)] = -np.inf
        p[h] = np.exp(s - ln[h][:, None])
    return p


class FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal=False):
        o, lse, _ = flash_attention_triton(q, k, v, causal=causal)
        _KEPT.append(_probabilities(q, k, lse, causal))
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
