"""Lazy lab14_flash_attention submission, Part 3: no traffic model at all; both functions validate their arguments
and return an int subclass equal to everything (found by an adversarial review: `isinstance(x, int)` let it pass).
The tests require exact `int`s, so Part 3 scores 0."""

KIND = "lazy: an int that compares equal to anything"
BASE = "reference"
FAIL = {"test_hbm_model"}

CELLS = {
    "hbm_model": r'''
class _Anything(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = int.__hash__


def _check(*sizes):
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int) or s <= 0:
            raise ValueError("sizes must be positive integers")


def hbm_bytes_standard(N, d, block_m, bytes_per_element=4):
    _check(N, d, block_m, bytes_per_element)
    return _Anything(1)


def hbm_bytes_flash(N, d, block_m, block_n, causal=False, bytes_per_element=4):
    _check(N, d, block_m, block_n, bytes_per_element)
    return _Anything(1 if causal else 2)
''',
}
