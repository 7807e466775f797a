"""Lazy lab14_flash_attention submission, Part 4: a correct kernel in which every query row fetches its own copy of
each K and V block (a 3-D block of pointers, BLOCK_M x BLOCK_N x HEAD_DIM) -- what a naive one-thread-per-row kernel
does -- and multiplies with a broadcast and a sum instead of tl.dot. The results match SDPA, so the correctness test
passes; the counted K/V traffic is BLOCK_M times the budget and there is no tl.dot, so the traffic test scores 0.
Part 5's FlashAttention runs this kernel in its forward pass, and its BLOCK_M x BLOCK_N x HEAD_DIM blocks exceed the
memory budget there, so the backward test scores 0 as well."""

KIND = "lazy: K and V reloaded for every query row"
BASE = "reference"
FAIL = {"test_flash_traffic", "test_flash_backward"}

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
        ok = (keys[None, :] < seq_len) & (rows[:, None] < seq_len)
        if CAUSAL:
            ok = ok & (keys[None, :] <= rows[:, None])
        per_row = base + keys[None, :, None] * HEAD_DIM + cols[None, None, :] + 0 * rows[:, None, None]
        k = tl.load(K + per_row, mask=ok[:, :, None], other=0.0)          # every row loads its own copy
        v = tl.load(V + per_row, mask=ok[:, :, None], other=0.0)
        s = tl.where(ok, tl.sum(q[:, None, :] * k, 2) * sm_scale, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, 1))
        m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
        p = tl.exp(s - m_safe[:, None])
        alpha = tl.exp(m - m_safe)
        l = l * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.sum(p[:, :, None] * v, 1)
        m = m_new
    tl.store(O + base + rows[:, None] * HEAD_DIM + cols[None, :], acc / l[:, None], mask=rows[:, None] < seq_len)
    tl.store(L + tl.program_id(1) * seq_len + rows, m + tl.log(l), mask=rows < seq_len)
''',
}
