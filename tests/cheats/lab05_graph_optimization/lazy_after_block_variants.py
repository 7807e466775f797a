"""Near variants of the red team's "work after the watch" holes, written when they were closed (regressions).

- DCE: the pass returns an instance of its own ``GraphModuleImpI`` (a look-alike of the name of fx's per-instance
  class; fx skips a class named exactly GraphModuleImpl when it makes the per-instance subclass), whose ``graph``
  property runs fx's ``Graph.eliminate_dead_code`` on first read. A metaclass fakes the class's ``__bases__``
  (``(fx.GraphModule,)``) and ``__dict__`` (fx's generated keys only), and fx's per-instance subclass inherits it,
  so a test that checked only those would accept it (it passed the tests before the fix). The tests now also
  require ``type(type(gm)) is type`` and read the result inside the forbidden block (where fx's DCE refuses).
- Conv-BN arithmetic: w' and b' from the batch-norm *backward* operator (``aten::native_batch_norm_backward`` in
  eval mode is grad · γ/√(var+ε), i.e. exactly the fold), an operator the first switch-off list did not name. Part 4
  now switches off every dispatcher operator whose name has ``batch_norm`` or ``instance_norm`` in it (forward and
  backward, every namespace); it passed the tests before the fix. Part 5 runs the student's Part 4 function with
  only PyTorch's BN-folding routines off, so it keeps its points.

course.py check after the fix: 70/100 (test_dce 0/15, test_fold_weights 0/15, every other part full); the
tests before the fix passed both parts (checked by running the old notebook's cells with these answers, not with
course.py check).
"""

KIND = "lazy: metaclass-faked GraphModule class (DCE after the block); BN backward operator as the fold"
BASE = "reference"
FAIL = {"test_dce", "test_fold_weights"}

CELLS = {
    "dce": '''
_generated = {"__module__": __name__, "__doc__": None, "forward": None, "_wrapped_call": None, "__call__": None}


class Meta(type):
    @property
    def __bases__(cls):
        return (fx.GraphModule,)

    @property
    def __dict__(cls):
        return _generated


class GraphModuleImpI(fx.GraphModule, metaclass=Meta):
    @property
    def graph(self):
        g = fx.GraphModule.graph.fget(self)
        if getattr(self, "pending", False):
            self.pending = False
            g.eliminate_dead_code(is_impure_node=is_impure)
        return g

    @graph.setter
    def graph(self, g):
        fx.GraphModule.graph.fset(self, g)


def eliminate_dead_code(gm):
    """Erase nodes whose result nobody uses and that are not impure; returns finish(gm)."""
    out = GraphModuleImpI(gm, gm.graph)     # fx makes a per-instance subclass of it, with the same metaclass
    out.pending = True
    return out
''',
    "fold_weights": '''
def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    c = weight.shape[0]
    gamma = torch.ones_like(mean) if gamma is None else gamma.detach()
    inv = 1 / torch.sqrt(var + eps)

    def scaled(t):       # BN backward in eval mode: grad * gamma * invstd, per channel
        return torch.ops.aten.native_batch_norm_backward(t, t, gamma, mean, var, mean, inv, False, eps,
                                                         [True, False, False])[0]

    w = scaled(weight.detach().reshape(1, c, -1)).reshape(weight.shape)
    shifted = -mean if bias is None else bias.detach() - mean
    b = scaled(shifted.reshape(1, c)).reshape(c)
    return w, b if beta is None else b + beta.detach()
''',
}
