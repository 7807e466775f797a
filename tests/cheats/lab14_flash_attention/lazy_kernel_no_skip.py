"""Lazy lab14_flash_attention submission, Part 4: causal attention by masking only -- every program visits every key
block, including those entirely above the diagonal. Correct, but it moves about twice the K/V bytes a causal
FlashAttention needs: the traffic test scores 0."""

KIND = "lazy: causal by masking, no block skipping"
BASE = "reference"
FAIL = {"test_flash_traffic"}

CELLS = {
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
        ok = keys[None, :] < seq_len
        if CAUSAL:
            ok = ok & (keys[None, :] <= rows[:, None])
        s = tl.where(ok, tl.dot(q, tl.trans(k)) * sm_scale, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, 1))
        p = tl.exp(s - m_new[:, None])
        alpha = tl.exp(m - m_new)
        l = l * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.dot(p, v)
        m = m_new
    tl.store(O + base + rows[:, None] * HEAD_DIM + cols[None, :], acc / l[:, None], mask=rows[:, None] < seq_len)
    tl.store(L + tl.program_id(1) * seq_len + rows, m + tl.log(l), mask=rows < seq_len)
''',
}
