"""A lab14_flash_attention submission that does just enough for the visible tests: softmax and the state merge
ignore masked (-inf) rows, tiled_attention builds the N x N matrix, the traffic formulas are the visible numbers
typed in, and the kernel masks the causal blocks instead of skipping them. The backward is honest. The hidden tests
must take points from every part but the last."""

KIND = "hard-coded visible answers"
BASE = "release"
EXPECT = "partial"

CELLS = {
    "softmax": r'''
def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    return np.squeeze(np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m, axis=axis)
''',
    "online_softmax": r'''
def block_state(s, v):
    m = s.max(axis=1)
    p = np.exp(s - m[:, None])
    return m, p.sum(axis=1), p @ v


def merge_states(a, b):
    m = np.maximum(a[0], b[0])
    x, y = np.exp(a[0] - m), np.exp(b[0] - m)
    return m, x * a[1] + y * b[1], x[:, None] * a[2] + y[:, None] * b[2]


def finalize(state):
    return state[2] / state[1][:, None], state[0] + np.log(state[1])
''',
    "tiled_attention": r'''
def tiled_attention(q, k, v, causal=False, block_m=32, block_n=32):
    if k.shape != q.shape:
        raise ValueError("shapes")
    s = q @ k.T / math.sqrt(q.shape[1])
    if causal:
        s[np.triu(np.ones(s.shape, dtype=bool), 1)] = -np.inf
    return softmax(s) @ v, logsumexp(s)
''',
    "hbm_model": r'''
def hbm_bytes_standard(N, d, block_m, bytes_per_element=4):
    return {(1024, 64, 64): 25_690_112}.get((N, d, block_m), 0)


def hbm_bytes_flash(N, d, block_m, block_n, causal=False, bytes_per_element=4):
    return 8_916_992 - (1 if causal else 0)
''',
    "flash_kernel": r'''
@triton.jit
def flash_fwd_kernel(Q, K, V, O, L, seq_len, sm_scale,
                     CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_DIM: tl.constexpr):
    base = tl.program_id(1) * seq_len * HEAD_DIM
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + base + rows[:, None] * HEAD_DIM + cols[None, :], mask=rows[:, None] < seq_len, other=0.0)
    m = tl.full((BLOCK_M,), float("-inf"), tl.float32)
    l = tl.zeros((BLOCK_M,), tl.float32)
    acc = tl.zeros((BLOCK_M, HEAD_DIM), tl.float32)
    for start in range(0, seq_len, BLOCK_N):
        keys = start + tl.arange(0, BLOCK_N)
        k = tl.load(K + base + keys[:, None] * HEAD_DIM + cols[None, :], mask=keys[:, None] < seq_len, other=0.0)
        v = tl.load(V + base + keys[:, None] * HEAD_DIM + cols[None, :], mask=keys[:, None] < seq_len, other=0.0)
        s = tl.dot(q, tl.trans(k)) * sm_scale
        ok = keys[None, :] < seq_len
        if CAUSAL:
            ok = ok & (keys[None, :] <= rows[:, None])
        s = tl.where(ok, s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, 1))
        p = tl.exp(s - m_new[:, None])
        alpha = tl.exp(m - m_new)
        l = l * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.dot(p, v)
        m = m_new
    tl.store(O + base + rows[:, None] * HEAD_DIM + cols[None, :], acc / l[:, None], mask=rows[:, None] < seq_len)
    tl.store(L + tl.program_id(1) * seq_len + rows, m + tl.log(l), mask=rows < seq_len)
''',
    "flash_backward": r'''
def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32):
    n, d = q.shape[-2], q.shape[-1]
    scale = 1.0 / math.sqrt(d)
    dq, dk, dv = torch.zeros_like(q), torch.zeros_like(k), torch.zeros_like(v)
    delta = (do * o).sum(-1)
    for i0 in range(0, n, block_m):
        i1 = min(i0 + block_m, n)
        for j0 in range(0, i1 if causal else n, block_n):
            j1 = min(j0 + block_n, n)
            s = q[..., i0:i1, :] @ k[..., j0:j1, :].transpose(-1, -2) * scale
            if causal:
                s = s.masked_fill(torch.arange(j0, j1)[None, :] > torch.arange(i0, i1)[:, None], float("-inf"))
            p = torch.exp(s - lse[..., i0:i1, None])
            dv[..., j0:j1, :] += p.transpose(-1, -2) @ do[..., i0:i1, :]
            ds = p * (do[..., i0:i1, :] @ v[..., j0:j1, :].transpose(-1, -2) - delta[..., i0:i1, None])
            dq[..., i0:i1, :] += ds @ k[..., j0:j1, :] * scale
            dk[..., j0:j1, :] += ds.transpose(-1, -2) @ q[..., i0:i1, :] * scale
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
