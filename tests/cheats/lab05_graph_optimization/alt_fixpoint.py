"""Correct passes written a third way: DCE repeated to a fixed point in forward order, constant folding that
evaluates with torch.fx.Interpreter's own helpers and writes buffers with a different naming, CSE keyed on
hashable argument tuples (lists and slices turned into tuples), Conv-BN arithmetic that copies tensors with
torch.tensor (PyTorch warns on stderr that clone().detach() is preferred -- harmless), a Conv-BN rewrite that
starts from the conv nodes, and fusion that grows chains forwards from their first node. Must get full marks.
"""

KIND = "alternative correct solution"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "dce": '''
def eliminate_dead_code(gm):
    """Erase nodes whose result nobody uses and that are not impure; returns finish(gm)."""
    while True:
        dead = [n for n in gm.graph.nodes if not n.users and not is_impure(n)]
        if not dead:
            return finish(gm)
        for node in dead:
            gm.graph.erase_node(node)
''',
    "constant_fold": '''
def constant_fold(gm):
    """Pre-compute every pure node that depends only on parameters/buffers; returns finish(gm)."""
    graph = gm.graph
    mutated = mutated_nodes(gm)
    runner = fx.Interpreter(gm)
    env = {}
    for node in list(graph.nodes):
        if node in mutated or node.op not in ("get_attr", "call_function", "call_method"):
            continue
        if node.op != "get_attr" and (is_impure(node) or not all(i in env for i in node.all_input_nodes)):
            continue
        args, kwargs = map_arg((node.args, node.kwargs), lambda n: env[n])
        with torch.no_grad():
            env[node] = getattr(runner, node.op)(node.target, args, kwargs)
    for node in list(graph.nodes):
        if node not in env or node.op == "get_attr":
            continue
        outside = [u for u in node.users if u not in env]
        if not outside:
            continue
        name = "folded_" + node.name
        gm.register_buffer(name, env[node].detach().clone())
        with graph.inserting_before(outside[0] if len(outside) == 1 else node):
            new = graph.get_attr(name)
        for user in outside:
            user.replace_input_with(node, new)
    for node in reversed(list(graph.nodes)):
        if node in env and not node.users:
            graph.erase_node(node)
    return finish(gm)
''',
    "cse": '''
def common_subexpression_elimination(gm):
    """Merge pure nodes that repeat an earlier node's op, target and arguments; returns finish(gm)."""
    def hashable(value):
        if isinstance(value, (list, tuple)):
            return (type(value).__name__,) + tuple(hashable(v) for v in value)
        if isinstance(value, dict):
            return ("dict",) + tuple((k, hashable(v)) for k, v in sorted(value.items()))
        if isinstance(value, slice):
            return ("slice", hashable(value.start), hashable(value.stop), hashable(value.step))
        if isinstance(value, float):
            return ("float", value)
        return value

    mutated = mutated_nodes(gm)
    unsafe, table = set(), {}
    for node in list(gm.graph.nodes):
        if node in mutated or any(i in unsafe for i in node.all_input_nodes):
            unsafe.add(node)
            continue
        if is_impure(node):
            continue
        key = (node.op, node.target, hashable(node.args), hashable(dict(node.kwargs)))
        earlier = table.setdefault(key, node)
        if earlier is not node:
            node.replace_all_uses_with(earlier)
            gm.graph.erase_node(node)
    return finish(gm)
''',
    "fold_weights": '''
def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    n = weight.shape[0]
    g = torch.tensor(gamma) if gamma is not None else torch.ones(n, dtype=weight.dtype)     # warns: prefer clone()
    scale = g / (var + eps) ** 0.5
    new_weight = weight.clone()
    for c in range(n):
        new_weight[c] = weight[c] * scale[c]
    new_bias = -mean * scale
    if bias is not None:
        new_bias = new_bias + bias * scale
    if beta is not None:
        new_bias = new_bias + beta
    return new_weight, new_bias
''',
    "fold_conv_bn": '''
def fold_conv_bn(gm):
    """Fold every eval-mode BatchNorm2d that follows a single-use Conv2d into a new conv; returns finish(gm)."""
    modules = dict(gm.named_modules())
    conv_nodes = [n for n in gm.graph.nodes if n.op == "call_module" and isinstance(modules[n.target], nn.Conv2d)]
    for conv_node in conv_nodes:
        if len(conv_node.users) != 1:
            continue
        (bn_node,) = conv_node.users
        bn = modules.get(bn_node.target) if bn_node.op == "call_module" else None
        if not isinstance(bn, nn.BatchNorm2d) or bn.training or not bn.track_running_stats:
            continue
        conv = modules[conv_node.target]
        fused = copy.deepcopy(conv)
        with torch.no_grad():
            w, b = fold_conv_bn_weights(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.weight,
                                        bn.bias, bn.eps)
        fused.weight = nn.Parameter(w.detach())
        fused.bias = nn.Parameter(b.detach())
        name = "fused_" + bn_node.name
        gm.add_submodule(name, fused)
        modules[name] = fused
        conv_node.target = name
        bn_node.replace_all_uses_with(conv_node)
        gm.graph.erase_node(bn_node)
    return finish(gm)
''',
    "fuse_elementwise": '''
def fuse_elementwise(gm):
    """Replace each chain of >= 2 single-use elementwise nodes by one call_function node; returns finish(gm)."""
    graph = gm.graph
    starts = [n for n in graph.nodes if elementwise_input(n) is not None
              and not (elementwise_input(elementwise_input(n)) is not None and len(elementwise_input(n).users) == 1)]
    for start in starts:
        chain = [start]
        while len(chain[-1].users) == 1:
            (nxt,) = chain[-1].users
            if elementwise_input(nxt) is not chain[-1]:
                break
            chain.append(nxt)
        if len(chain) < 2:
            continue
        steps = tuple(elementwise_step(n) for n in chain)

        class Fused:
            def __init__(self, steps):
                self.steps = steps
                self.__name__ = "fused_" + "_".join(n.name for n in chain)[:30]

            def __call__(self, t):
                for step in self.steps:
                    t = step(t)
                return t

        with graph.inserting_before(start):
            new = graph.call_function(Fused(steps), (elementwise_input(start),))
        chain[-1].replace_all_uses_with(new)
        for n in reversed(chain):
            graph.erase_node(n)
    return finish(gm)
''',
}
