"""Lazy lab14_flash_attention submission, Part 5 (red team): the backward rebuilds all of P and dP (N x N per head)
in NumPy arrays backed by np.memmap("/dev/zero", mode="c"), invisible to tracemalloc (the same code with np.zeros
is caught: "allocated 4.54 MB of NumPy memory"). The tiles of S and dP are formed by one product each; dV, dQ and dK
are then dense products over N called through operator.matmul, which work_watch used not to recognise. The forward
is the Part 4 kernel and saves only q, k, v, O and L; P is recomputed from L (an exponential per score), so
test_saved_state is earned. It used to score 15/15 in test_flash_backward. Now np.memmap is switched off by identity
in that test, the process's peak memory is measured by the operating system, and operator.matmul is a product like
@ (dense products over N exceed a block): test_flash_backward scores 0.
"""

KIND = 'lazy: backward with full P in a /dev/zero memmap, dense products via operator.matmul'
BASE = "reference"
FAIL = {'test_flash_backward'}

CELLS = {
    "flash_backward": r'''
import operator


def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32):
    Q, K, V, O, LSE, DO = (t.detach().double().numpy() for t in (q, k, v, o, lse, do))
    heads, n, d = Q.shape
    c = 1.0 / math.sqrt(d)
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    for h in range(heads):
        P, dS = (np.memmap("/dev/zero", mode="c", dtype=np.float64, shape=(n, n)) for _ in range(2))   # full P, dP
        for i0 in range(0, n, block_m):
            i1 = min(n, i0 + block_m)
            for j0 in range(0, i1 if causal else n, block_n):
                j1 = min(n, j0 + block_n)
                P[i0:i1, j0:j1] = Q[h, i0:i1] @ K[h, j0:j1].T
                dS[i0:i1, j0:j1] = DO[h, i0:i1] @ V[h, j0:j1].T
        P *= c
        P -= LSE[h][:, None]
        if causal:
            for i in range(n):
                P[i, i + 1:] = -np.inf
        np.exp(P, out=P)
        dS -= (DO[h] * O[h]).sum(-1)[:, None]
        dS *= P
        dV[h] = operator.matmul(P.T, DO[h])
        dQ[h] = operator.matmul(dS, K[h]) * c
        dK[h] = operator.matmul(dS.T, Q[h]) * c
        del P, dS
    return tuple(torch.from_numpy(g).to(q.dtype) for g in (dQ, dK, dV))


class FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal=False):
        o, lse, _ = flash_attention_triton(q.detach(), k.detach(), v.detach(), causal=causal)
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
