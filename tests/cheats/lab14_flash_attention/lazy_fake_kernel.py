"""Lazy lab14_flash_attention submission, Part 4: "flash_fwd_kernel" is an object that looks like a kernel launch
(kernel[grid](...)) but computes attention with PyTorch's scaled_dot_product_attention on the tensors it is handed.
The checked launcher accepts only @triton.jit kernels, so Part 4 scores 0 -- and so does Part 5, whose forward
uses the Part 4 kernel."""

KIND = "lazy: PyTorch attention disguised as a kernel"
BASE = "reference"
FAIL = {"test_flash_forward", "test_flash_traffic", "test_flash_backward", "test_saved_state"}

CELLS = {
    "flash_kernel": r'''
class _Launch:
    def __init__(self, grid):
        self.grid = grid

    def __call__(self, q, k, v, o, lse, seq_len, sm_scale, CAUSAL=False, BLOCK_M=32, BLOCK_N=32, HEAD_DIM=16):
        s = q @ k.transpose(-1, -2) * sm_scale
        if CAUSAL:
            s = s.masked_fill(torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1), float("-inf"))
        m = s.max(-1, keepdim=True).values
        e = torch.exp(s - m)
        o.copy_((e / e.sum(-1, keepdim=True)) @ v)
        lse.copy_(m[..., 0] + torch.log(e.sum(-1)))


class _Kernel:
    fn = None

    def __getitem__(self, grid):
        return _Launch(grid)


flash_fwd_kernel = _Kernel()
''',
}
