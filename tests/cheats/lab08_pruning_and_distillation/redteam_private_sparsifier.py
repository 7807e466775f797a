"""Red team: the masks come from torch.ao.pruning's private mask helpers, which are not switched off.

``pruning_library()`` switches off ``WeightNormSparsifier.update_mask`` (and ``BaseSparsifier.step``) by identity,
but ``update_mask`` only delegates to ``WeightNormSparsifier._make_tensor_mask`` / ``_make_block_mask``, which stay
callable. The policy refuses ``WeightNormSparsifier._make_tensor_mask`` on the class, but not on an *instance*
(``SPARSIFIER._make_tensor_mask``: the reviewer cannot resolve an instance, and the guard checks attribute names only
for the getattr built-ins). ``magnitude_mask`` hands PyTorch's ``_make_tensor_mask`` a key that orders (|w|, index)
exactly (float32 bits times numel plus the flat index, as float64), so its topk prunes the lower index among ties;
``nm_mask`` hands ``_make_block_mask`` (block (1, m), m - n zeros per block) a key that prunes the higher column among
ties. The student writes no ranking at all. Scored 100/100 when checked (Parts 1, 2, 3 and 6 should score 0, as
for lazy_library / lazy_lecture: Parts 2 and 6, the reference's, call magnitude_mask). compress_nm and nm_matmul are
honest gathers; Parts 4 and 5 are the reference's.

Closed: ``pruning_library()`` now switches off, as objects, every function of torch.nn.utils.prune, torch.ao.pruning
and PyTorch's 2:4 conversion modules and every method of their classes (code swapped, so a method reached through an
instance refuses too). Checked with ``course.py check``: 35/100, Parts 1, 2, 3 and 6 at 0 ("..._make_tensor_mask is
switched off in this test").
"""

KIND = 'lazy: torch.ao.pruning WeightNormSparsifier._make_tensor_mask/_make_block_mask called on an instance'
BASE = "reference"
FAIL = {"test_magnitude", "test_global_magnitude", "test_semi_structured", "test_prune_finetune"}

CELLS = {
    "magnitude": '''
from torch.ao.pruning import WeightNormSparsifier

SPARSIFIER = WeightNormSparsifier()     # only for its (not switched-off) mask helper


def magnitude_mask(w, sparsity):
    if not (0 <= sparsity <= 1):
        raise ValueError("sparsity must be in [0, 1]")
    n = w.numel()
    k = round(sparsity * n)
    # exact total order (|w|, index) as float64 keys: float32 bits are monotone for |w| >= 0
    bits = w.detach().abs().float().reshape(-1).view(torch.int32).to(torch.int64)
    key = (bits * n + torch.arange(n)).to(torch.float64).reshape(1, -1)
    mask = SPARSIFIER._make_tensor_mask(key, key.shape, k / n if n else 0.0, (1, 1))
    return mask.bool().reshape(w.shape)
''',
    "semi_structured": '''
from torch.ao.pruning import WeightNormSparsifier

SPARSIFIER24 = WeightNormSparsifier()


def nm_mask(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    if C % m:
        raise ValueError("columns not a multiple of m")
    bits = rows.abs().float().view(torch.int32).to(torch.int64)
    pos = torch.arange(C) % m
    key = (bits * m + (m - 1 - pos)).to(torch.float64)     # among ties the higher column is pruned first
    mask = SPARSIFIER24._make_block_mask(key, (1, m), m - n)
    return mask.bool().reshape(w.shape)


def compress_nm(w, n=2, m=4):
    rows = w.detach().reshape(w.shape[0], -1)
    R, C = rows.shape
    keep = nm_mask(rows, n, m)
    cols = keep.nonzero()[:, 1].reshape(R, -1)
    return torch.gather(rows, 1, cols), cols % m


def nm_matmul(values, indices, x, m=4):
    R, S = values.shape
    n = S * m // x.shape[0]
    src = (torch.arange(S) // n) * m + indices
    return (values.unsqueeze(-1) * x[src]).sum(1)
''',
}
