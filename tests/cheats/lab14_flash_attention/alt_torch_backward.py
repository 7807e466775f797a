"""A second correct lab14_flash_attention, different again: softmax row by row after moving the axis last; the state
merge done in log space; tiled_attention with while-loops over the student's own Part 1 helpers, scaling scores
after the product; the traffic model vectorised with NumPy; a kernel that advances its K/V pointer blocks and masks
with a large negative number instead of -inf; a PyTorch float64 backward with the query blocks outer and einsum
products; and a forward with 16 x 64 blocks.
"""

KIND = "alternative: log-space merge, pointer-advancing kernel, torch float64 backward"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "softmax": r'''
def softmax(x, axis=-1):
    moved = np.moveaxis(np.array(x, dtype=np.float64), axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty_like(flat)
    for i, row in enumerate(flat):
        shifted = row - row.max()
        weights = np.exp(shifted)
        out[i] = weights / np.add.reduce(weights)
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def logsumexp(x, axis=-1):
    moved = np.moveaxis(np.array(x, dtype=np.float64), axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty(flat.shape[0])
    for i, row in enumerate(flat):
        top = row.max()
        out[i] = -np.inf if top == -np.inf else top + math.log(np.add.reduce(np.exp(row - top)))
    return out.reshape(moved.shape[:-1])
''',
    "online_softmax": r'''
def block_state(s, v):
    s = np.asarray(s, dtype=np.float64)
    m = s.max(axis=1)
    e = np.exp(s - np.where(m == -np.inf, 0.0, m)[:, None])
    return m, e.sum(axis=1), e @ np.asarray(v, dtype=np.float64)


def merge_states(a, b):
    (m1, l1, acc1), (m2, l2, acc2) = a, b
    m = np.maximum(m1, m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_w1 = np.where(m1 == -np.inf, -np.inf, m1 - m)      # log of the factor that moves state 1 to max m
        log_w2 = np.where(m2 == -np.inf, -np.inf, m2 - m)
    w1, w2 = np.exp(log_w1), np.exp(log_w2)
    return m, w1 * l1 + w2 * l2, w1[:, None] * acc1 + w2[:, None] * acc2


def finalize(state):
    m, l, acc = state
    return acc / l[:, None], m + np.log(l)
''',
    "tiled_attention": r'''
def tiled_attention(q, k, v, causal=False, block_m=32, block_n=32):
    q = np.array(q, dtype=np.float64, ndmin=1)
    k = np.array(k, dtype=np.float64, ndmin=1)
    v = np.array(v, dtype=np.float64, ndmin=1)
    if not (q.ndim == k.ndim == v.ndim == 2):
        raise ValueError("expected 2-D q, k, v")
    if q.shape != k.shape or v.shape[0] != q.shape[0]:
        raise ValueError("k must have q's shape and v as many rows as q")
    for b in (block_m, block_n):
        if not isinstance(b, (int, np.integer)) or isinstance(b, bool) or b <= 0:
            raise ValueError("block sizes are positive integers")
    n, d = q.shape
    o = np.zeros((n, v.shape[1]))
    lse = np.zeros(n)
    i0 = 0
    while i0 < n:
        i1 = min(n, i0 + block_m)
        state = (np.full(i1 - i0, -np.inf), np.zeros(i1 - i0), np.zeros((i1 - i0, v.shape[1])))
        j0 = 0
        while j0 < (i1 if causal else n):
            j1 = min(n, j0 + block_n)
            s = (q[i0:i1] @ k[j0:j1].T) / math.sqrt(d)
            if causal:
                rows, cols = np.nonzero(np.arange(j0, j1)[None, :] > np.arange(i0, i1)[:, None])
                s[rows, cols] = -np.inf
            state = merge_states(state, block_state(s, v[j0:j1]))
            j0 = j1
        o[i0:i1], lse[i0:i1] = finalize(state)
        i0 = i1
    return o, lse
''',
    "hbm_model": r'''
def hbm_bytes_standard(N, d, block_m, bytes_per_element=4):
    sizes = np.array([N, d, block_m, bytes_per_element])
    if not all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in sizes.tolist()) or (sizes < 1).any():
        raise ValueError("all sizes must be positive integers")
    programs = (N + block_m - 1) // block_m
    return int(bytes_per_element * (4 * N * N + 2 * N * d * (1 + programs)))


def hbm_bytes_flash(N, d, block_m, block_n, causal=False, bytes_per_element=4):
    for x in (N, d, block_m, block_n, bytes_per_element):
        if not isinstance(x, (int, np.integer)) or isinstance(x, bool) or x < 1:
            raise ValueError("all sizes must be positive integers")
    programs = np.arange((N + block_m - 1) // block_m, dtype=np.int64)
    last = np.minimum(N, (programs + 1) * block_m) if causal else np.full(programs.shape, N, dtype=np.int64)
    rows = np.minimum(N, -(-last // block_n) * block_n)
    return int(bytes_per_element * (2 * N * d + N + 2 * d * int(rows.sum())))
''',
    "flash_kernel": r'''
@triton.jit
def flash_fwd_kernel(Q, K, V, O, L, seq_len, sm_scale,
                     CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_DIM: tl.constexpr):
    start_m = tl.program_id(0) * BLOCK_M
    head_offset = tl.program_id(1) * seq_len * HEAD_DIM
    m_range = start_m + tl.arange(0, BLOCK_M)
    n_range = tl.arange(0, BLOCK_N)
    d_range = tl.arange(0, HEAD_DIM)
    q_ptrs = Q + head_offset + m_range[:, None] * HEAD_DIM + d_range[None, :]
    k_ptrs = K + head_offset + n_range[:, None] * HEAD_DIM + d_range[None, :]
    v_ptrs = V + head_offset + n_range[:, None] * HEAD_DIM + d_range[None, :]
    in_seq = m_range < seq_len
    q = tl.load(q_ptrs, mask=in_seq[:, None], other=0.0) * sm_scale
    run_max = tl.full((BLOCK_M,), -1.0e30, tl.float32)
    run_sum = tl.zeros((BLOCK_M,), tl.float32)
    out = tl.zeros((BLOCK_M, HEAD_DIM), tl.float32)
    stop = seq_len
    if CAUSAL:
        stop = tl.minimum(seq_len, start_m + BLOCK_M)
    start_n = 0
    while start_n < stop:
        key_idx = start_n + n_range
        valid = key_idx[None, :] < seq_len
        k = tl.load(k_ptrs, mask=key_idx[:, None] < seq_len, other=0.0)
        v = tl.load(v_ptrs, mask=key_idx[:, None] < seq_len, other=0.0)
        scores = tl.dot(q, tl.trans(k))
        if CAUSAL:
            valid = valid & (m_range[:, None] >= key_idx[None, :])
        scores = tl.where(valid, scores, -1.0e30)
        new_max = tl.maximum(run_max, tl.max(scores, axis=1))
        correction = tl.exp(run_max - new_max)
        weights = tl.where(valid, tl.exp(scores - new_max[:, None]), 0.0)
        run_sum = run_sum * correction + tl.sum(weights, axis=1)
        out = out * correction[:, None] + tl.dot(weights, v)
        run_max = new_max
        k_ptrs += BLOCK_N * HEAD_DIM
        v_ptrs += BLOCK_N * HEAD_DIM
        start_n += BLOCK_N
    tl.store(O + head_offset + m_range[:, None] * HEAD_DIM + d_range[None, :], out / run_sum[:, None], mask=in_seq[:, None])
    tl.store(L + tl.program_id(1) * seq_len + m_range, run_max + tl.log(run_sum), mask=in_seq)
''',
    "flash_backward": r'''
def flash_backward(q, k, v, o, lse, do, causal=False, block_m=32, block_n=32):
    q64, k64, v64, o64, l64, do64 = (t.detach().to(torch.float64) for t in (q, k, v, o, lse, do))
    n = q64.shape[-2]
    scale = q64.shape[-1] ** -0.5
    dq = torch.empty_like(q64)
    dk = torch.zeros_like(k64)
    dv = torch.zeros_like(v64)
    rowdot = torch.einsum("hnd,hnd->hn", do64, o64)
    for i0 in range(0, n, block_m):
        i1 = min(n, i0 + block_m)
        dq_block = torch.zeros_like(q64[:, i0:i1])
        for j0 in range(0, n, block_n):
            if causal and j0 >= i1:
                break
            j1 = min(n, j0 + block_n)
            s = torch.einsum("hid,hjd->hij", q64[:, i0:i1], k64[:, j0:j1]) * scale
            p = torch.exp(s - l64[:, i0:i1, None])
            if causal:
                p = torch.where(torch.arange(j0, j1)[None, :] <= torch.arange(i0, i1)[:, None], p, torch.zeros_like(p))
            dv[:, j0:j1] += torch.einsum("hij,hid->hjd", p, do64[:, i0:i1])
            dp = torch.einsum("hid,hjd->hij", do64[:, i0:i1], v64[:, j0:j1])
            ds = p * (dp - rowdot[:, i0:i1, None])
            dq_block += torch.einsum("hij,hjd->hid", ds, k64[:, j0:j1]) * scale
            dk[:, j0:j1] += torch.einsum("hij,hid->hjd", ds, q64[:, i0:i1]) * scale
        dq[:, i0:i1] = dq_block
    return dq.to(q.dtype), dk.to(k.dtype), dv.to(v.dtype)


class FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal=False):
        o, lse, _ = flash_attention_triton(q.detach(), k.detach(), v.detach(), causal=causal, block_m=16, block_n=64)
        ctx.causal = bool(causal)
        ctx.save_for_backward(q, k, v, o, lse)
        return o

    @staticmethod
    def backward(ctx, grad_out):
        q, k, v, o, lse = ctx.saved_tensors
        grads = flash_backward(q, k, v, o, lse, grad_out.contiguous(), causal=ctx.causal, block_m=64, block_n=16)
        return grads + (None,)
''',
}
