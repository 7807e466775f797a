"""Lazy lab14_flash_attention submission, Part 4: a kernel that forms its products by broadcasting and summing
(BLOCK_M x HEAD_DIM x BLOCK_N blocks, then tl.sum) instead of tl.dot, and calls tl.dot on tiles of zeros -- twice
per key block, at the full tile size -- only so that the launcher counts the dots and their FLOPs (found by an
adversarial review). The traffic test checks that the operands of tl.dot are the Q, K and V tiles the program
loaded, so it scores 0."""

KIND = "lazy: broadcast-and-sum products, tl.dot on zero tiles"
BASE = "reference"
FAIL = {"test_flash_traffic"}

CELLS = {
    "flash_kernel": r'''
@triton.jit
def flash_fwd_kernel(Q, K, V, O, L, seq_len, sm_scale,
                     CAUSAL: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, HEAD_DIM: tl.constexpr):
    block = tl.program_id(0)
    base = tl.program_id(1) * seq_len * HEAD_DIM
    rows = block * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + base + rows[:, None] * HEAD_DIM + cols[None, :], mask=rows[:, None] < seq_len, other=0.0)
    m = tl.full((BLOCK_M,), float("-inf"), tl.float32)
    l = tl.zeros((BLOCK_M,), tl.float32)
    acc = tl.zeros((BLOCK_M, HEAD_DIM), tl.float32)
    end = seq_len
    if CAUSAL:
        end = tl.minimum(seq_len, (block + 1) * BLOCK_M)
    for start in range(0, end, BLOCK_N):
        keys = start + tl.arange(0, BLOCK_N)
        k = tl.load(K + base + keys[:, None] * HEAD_DIM + cols[None, :], mask=keys[:, None] < seq_len, other=0.0)
        v = tl.load(V + base + keys[:, None] * HEAD_DIM + cols[None, :], mask=keys[:, None] < seq_len, other=0.0)
        s = tl.sum(q[:, :, None] * tl.trans(k)[None, :, :], 1) * sm_scale
        s = s + tl.dot(tl.zeros((BLOCK_M, HEAD_DIM), tl.float32), tl.zeros((HEAD_DIM, BLOCK_N), tl.float32))
        ok = keys[None, :] < seq_len
        if CAUSAL:
            ok = ok & (keys[None, :] <= rows[:, None])
        s = tl.where(ok, s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, 1))
        p = tl.exp(s - m_new[:, None])
        alpha = tl.exp(m - m_new)
        l = l * alpha + tl.sum(p, 1)
        pv = tl.sum(p[:, :, None] * v[None, :, :], 1)
        acc = acc * alpha[:, None] + pv + tl.dot(tl.zeros((BLOCK_M, BLOCK_N), tl.float32), tl.zeros((BLOCK_N, HEAD_DIM), tl.float32))
        m = m_new
    tl.store(O + base + rows[:, None] * HEAD_DIM + cols[None, :], acc / l[:, None], mask=rows[:, None] < seq_len)
    tl.store(L + tl.program_id(1) * seq_len + rows, m + tl.log(l), mask=rows < seq_len)
''',
}
