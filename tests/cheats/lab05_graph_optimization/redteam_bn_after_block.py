"""Red team: Part 4 runs F.batch_norm on the weights after the test's forbidden block has ended.

``fold_conv_bn_weights`` returns two tensors of a ``torch.Tensor`` subclass (``Later``) whose values are not
computed yet: each holds a thunk, and its classmethod ``__torch_function__`` computes the real value the first time
any torch function touches it. ``folded(*args)`` in the test only *returns* them inside ``with forbidden(...)``; the
shape check, ``F.conv2d`` and the comparison with the formula all run after the block, when ``F.batch_norm`` and the
aten batch-norm operators are allowed again. The thunks are exactly the forbidden technique: w' is F.batch_norm of
the filters (mean 0, the BN's var/gamma/eps, no shift), b' is F.batch_norm of the bias. Scored 15/15 for Part 4 when
checked with course.py check; should score 0. (A first try with float zeros failed on the hidden double-precision
case; with the weight's dtype it passes.) Fix idea: require ``type(w) is torch.Tensor`` (or Parameter) for the
returned tensors and do everything that reads them (shape, conv2d, comparisons) inside the forbidden block -- or
``.as_subclass(torch.Tensor).clone()`` them inside the block. The same window exists in every part: see
redteam_deferred_dce.

Now caught: Part 4's wrapper checks the returned pair inside the forbidden block -- each tensor must be of PyTorch's
own class (torch.Tensor or nn.Parameter exactly, strided, on the CPU) -- and keeps a .detach().clone() made there,
so nothing is computed after the block ("fold_conv_bn_weights must return plain tensors, w' is a Later").
course.py check after the fix: 85/100, test_fold_weights 0/15, every other part full.
"""

KIND = "work after the watch: lazy tensor subclass computes w', b' with F.batch_norm once the forbidden block ends"
BASE = "reference"
FAIL = {'test_fold_weights'}

CELLS = {
    'fold_weights': '''
class Later(torch.Tensor):
    """A tensor whose value is computed the first time anything uses it."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        def real(a):
            if isinstance(a, Later):
                if a.computed is None:
                    a.computed = a.thunk()
                return a.computed
            return a
        from torch.fx.node import map_aggregate
        return func(*map_aggregate(args, real), **map_aggregate(kwargs or {}, real))


def later(shape, thunk, dtype):
    t = torch.empty(shape, dtype=dtype).as_subclass(Later)
    t.thunk, t.computed = thunk, None
    return t


def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    weight = weight.detach().clone()
    c = weight.shape[0]
    bias = torch.zeros(c, dtype=weight.dtype) if bias is None else bias.detach().clone()
    mean, var = mean.detach().clone(), var.detach().clone()
    gamma = None if gamma is None else gamma.detach().clone()
    beta = None if beta is None else beta.detach().clone()

    def w_value():      # BatchNorm of the filters with mean 0, no shift
        return F.batch_norm(weight.reshape(1, c, -1), torch.zeros(c, dtype=weight.dtype), var, gamma, None, False, 0.0, eps).reshape(weight.shape)

    def b_value():
        return F.batch_norm(bias.reshape(1, c), mean, var, gamma, beta, False, 0.0, eps).reshape(c)

    return later(weight.shape, w_value, weight.dtype), later((c,), b_value, weight.dtype)
''',
}
