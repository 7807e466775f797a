"""Red team: Part 5 without folding -- the BatchNorm hides in the new conv's bias.

The graph rewrite is done (eval-mode, single-use, running-stats checks; a new conv registered under a fresh name;
the BN node erased), but the new conv keeps the old, unfolded weight. Its bias is an instance of an
``nn.Parameter`` subclass (made per BN, stats in a closure) whose ``__torch_function__`` sees the ``F.conv2d`` call
of ``nn.Conv2d.forward``, runs the convolution with the original bias and then applies the BatchNorm formula
(y - mean) / sqrt(var + eps) * gamma + beta to the result. The test only checks ``type(module.weight) is
nn.Parameter``, that the module is a plain Conv2d with no callable attributes and no hooks, and the outputs, so
the BN still runs on every call. Scored 15/15 for Part 5 when checked with course.py check; should score 0 (like
lazy_shortcuts' nn.Sequential wrapper). Fix idea: require ``type(p) is nn.Parameter`` for every parameter and
buffer of the modules called (bias included), and compare the new conv's weight and bias with the folded values
the test computes itself.

Now caught: Part 5 requires every parameter of each module the graph calls to be exactly nn.Parameter and every
buffer exactly torch.Tensor (and plain dicts holding them): "Conv2d.bias must be a plain nn.Parameter, got Bias".
It also compares each conv's weight and bias with the ones of a conv of the model or of that conv folded with one of
the model's eval-mode BatchNorms (computed by the test in float64), which the unfolded weight here would fail.
course.py check after the fix: 85/100, test_fold_conv_bn 0/15, every other part full.
"""

KIND = 'lazy: BN run at every call from a Parameter-subclass bias (__torch_function__), no folding'
BASE = "reference"
FAIL = {'test_fold_conv_bn'}

CELLS = {
    'fold_conv_bn': '''
def _hidden_bn_bias(conv_bias, mean, var, gamma, beta, eps, channels):
    """A Parameter whose conv2d runs the BatchNorm afterwards (the stats live in a closure)."""
    mean, var = mean.detach().clone(), var.detach().clone()
    gamma = torch.ones(channels) if gamma is None else gamma.detach().clone()
    beta = torch.zeros(channels) if beta is None else beta.detach().clone()
    plain_bias = None if conv_bias is None else conv_bias.detach().clone()

    class Bias(nn.Parameter):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if func is F.conv2d and len(args) >= 3 and isinstance(args[2], cls):
                y = F.conv2d(args[0], args[1], plain_bias, *args[3:], **kwargs)
                shape = (1, -1, 1, 1)
                return (y - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * gamma.view(shape) + beta.view(shape)
            return super().__torch_function__(func, types, args, kwargs)

    return Bias(torch.zeros(channels), False)


def fold_conv_bn(gm):
    """Fold every eval-mode BatchNorm2d that follows a single-use Conv2d into a new conv; returns finish(gm)."""
    modules = dict(gm.named_modules())
    k = 0
    for node in list(gm.graph.nodes):
        if node.op != "call_module" or type(modules.get(node.target)) is not nn.BatchNorm2d:
            continue
        bn = modules[node.target]
        src = node.args[0] if node.args else None
        if not isinstance(src, fx.Node) or src.op != "call_module" or type(modules.get(src.target)) is not nn.Conv2d:
            continue
        if len(src.users) != 1 or bn.training or not bn.track_running_stats or bn.running_mean is None:
            continue
        conv = modules[src.target]
        new = copy.deepcopy(conv)
        new.bias = _hidden_bn_bias(conv.bias, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.eps,
                                   conv.out_channels)
        name = f"_folded_conv_{k}"
        k += 1
        gm.add_submodule(name, new)
        src.target = name
        node.replace_all_uses_with(src)
        gm.graph.erase_node(node)
    return finish(gm)
''',
}
