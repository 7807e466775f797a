"""Lazy lab14_flash_attention submission, Part 1(a): logsumexp read off PyTorch's logcumsumexp (found by an
adversarial review: that operator was not switched off). The hidden test switches it off, so Part 1(a) scores 0."""

KIND = "lazy: torch.logcumsumexp"
BASE = "reference"
FAIL = {"test_softmax"}

CELLS = {
    "softmax": r'''
def logsumexp(x, axis=-1):
    t = torch.from_numpy(np.ascontiguousarray(np.asarray(x, dtype=np.float64))).movedim(axis, -1)
    return torch.logcumsumexp(t, dim=-1)[..., -1].numpy()


def softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(x - np.expand_dims(logsumexp(x, axis), axis))
''',
}
