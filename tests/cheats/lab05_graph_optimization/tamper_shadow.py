"""Passes that do nothing, made to look right by shadowing what the tests read (issue 13).

The grading kernel puts the tests' helpers back before every test cell, but it does not protect a name that a
submitted *answer cell* binds (aisys.grading.policy.protected_names leaves out the answer cells' names), and
nothing stops a student's function from rebinding a global (``global name``) while a test cell runs it. Before
the tests ran in their own namespace, this submission scored full marks:

- the DCE cell redefines ``count`` to return a number equal to every number, and DCE does nothing;
- constant folding does nothing and, when first called, rebinds ``folded_work`` and ``check_fold``;
- CSE does nothing and rebinds ``check_cse`` to a plain trace;
- Conv-BN arithmetic drops ε and rebinds ``check_weights`` and ``torch`` (a wrapper whose allclose says yes);
- Conv-BN folding deletes the BN nodes without folding, and its cell redefines ``random_bn`` to build
  identity BatchNorms, so the tests' models have nothing to fold;
- fusion does nothing and its cell redefines ``elementwise_input`` so that nothing looks fusable.

Every test cell must now score 0.
"""

KIND = "tampering: shadowing the tests' helpers from answer cells"
BASE = "reference"
FAIL = {"test_dce", "test_constant_fold", "test_cse", "test_fold_weights", "test_fold_conv_bn",
        "test_fuse_elementwise"}

CELLS = {
    "dce": '''
class EqualToAll(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


def count(gm, op=None):
    return EqualToAll(0)


def eliminate_dead_code(gm):
    """Erase nodes whose result nobody uses and that are not impure; returns finish(gm)."""
    return finish(gm)
''',
    "constant_fold": '''
def constant_fold(gm):
    """Pre-compute every pure node that depends only on parameters/buffers; returns finish(gm)."""
    global folded_work, check_fold
    folded_work = lambda *args, **kwargs: []
    check_fold = lambda model, *args, **kwargs: trace(model)
    return finish(gm)
''',
    "cse": '''
def common_subexpression_elimination(gm):
    """Merge pure nodes that repeat an earlier node's op, target and arguments; returns finish(gm)."""
    global check_cse
    check_cse = lambda model, *args, **kwargs: trace(model)
    return finish(gm)
''',
    "fold_weights": '''
class Agreeable:
    def __init__(self, module):
        self.module = module

    def __getattr__(self, name):
        if name == "allclose":
            return lambda *args, **kwargs: True
        return getattr(self.module, name)


def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    global check_weights, torch
    check_weights = lambda *args, **kwargs: None
    if not isinstance(torch, Agreeable):
        torch = Agreeable(torch)
    bias = torch.zeros_like(mean) if bias is None else bias
    gamma = torch.ones_like(mean) if gamma is None else gamma
    beta = torch.zeros_like(mean) if beta is None else beta
    scale = gamma / torch.sqrt(var)
    return weight * scale.reshape(-1, 1, 1, 1), (bias - mean) * scale + beta
''',
    "fold_conv_bn": '''
def random_bn(channels, eps=1e-5, affine=True, seed=0):
    bn = nn.BatchNorm2d(channels, eps=0.0)
    return bn.eval()


def fold_conv_bn(gm):
    """Fold every eval-mode BatchNorm2d that follows a single-use Conv2d into a new conv; returns finish(gm)."""
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        if node.op == "call_module" and isinstance(modules.get(node.target), nn.BatchNorm2d):
            source = node.args[0]
            if source.op == "call_module" and len(source.users) == 1:
                node.replace_all_uses_with(source)
                gm.graph.erase_node(node)
    return finish(gm)
''',
    "fuse_elementwise": '''
def elementwise_input(node):
    return None


def fuse_elementwise(gm):
    """Replace each chain of >= 2 single-use elementwise nodes by one call_function node; returns finish(gm)."""
    return finish(gm)
''',
}
