"""A submission of lab05_graph_optimization that hard-codes the visible tests' cases.

DCE is written honestly (it should keep its 15 points). The other passes special-case what the
visible tests show: constant folding only knows the `Scaled` model's pattern (t → mul → add, and
exp) and folds random ops too; CSE only merges torch.relu; Conv-BN folding drops ε (harmless for
the visible BN's eps = 1e-5, wrong for large eps or a channel with zero variance), ignores a missing
conv bias and folds even when the conv output is read elsewhere; fusion only recognises chains of
the visible length four. Each must lose its points on the hidden tests.
"""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    "dce": '''
def eliminate_dead_code(gm):
    for node in reversed(list(gm.graph.nodes)):
        if len(node.users) == 0 and not is_impure(node):
            gm.graph.erase_node(node)
    return finish(gm)
''',
    "constant_fold": '''
def constant_fold(gm):
    graph = gm.graph
    value = {}
    for node in graph.nodes:
        if node.op == "get_attr":
            value[node] = fetch_attr(gm, node.target)
        elif node.target in ("t", operator.mul, operator.add, "exp") and all(i in value for i in node.all_input_nodes):
            args = map_arg(node.args, lambda n: value[n])
            with torch.no_grad():
                value[node] = node.target(*args) if callable(node.target) else getattr(args[0], node.target)(*args[1:])
    k = 0
    for node in list(graph.nodes):
        if node in value and node.op != "get_attr" and any(u not in value for u in node.users):
            gm.register_buffer(f"_folded_{k}", value[node].detach())
            with graph.inserting_before(node):
                new = graph.get_attr(f"_folded_{k}")
            node.replace_all_uses_with(new, delete_user_cb=lambda u: u not in value)
            k += 1
    for node in reversed(list(graph.nodes)):
        if node in value and not node.users:
            graph.erase_node(node)
    return finish(gm)
''',
    "cse": '''
def common_subexpression_elimination(gm):
    first = None
    for node in list(gm.graph.nodes):
        if node.target is torch.relu:
            if first is None:
                first = node
            else:
                node.replace_all_uses_with(first)
                gm.graph.erase_node(node)
    return finish(gm)
''',
    "fold_weights": '''
def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    scale = gamma / torch.sqrt(var)                 # "eps is tiny anyway"
    return weight * scale[:, None, None, None], (bias - mean) * scale + beta
''',
    "fold_conv_bn": '''
def fold_conv_bn(gm):
    modules = dict(gm.named_modules())
    for node in list(gm.graph.nodes):
        if node.op == "call_module" and isinstance(modules[node.target], nn.BatchNorm2d):
            conv_node = node.args[0]
            conv, bn = modules[conv_node.target], modules[node.target]
            fused = copy.deepcopy(conv)
            bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels)
            with torch.no_grad():
                scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                fused.weight = nn.Parameter(conv.weight * scale[:, None, None, None])
                fused.bias = nn.Parameter((bias - bn.running_mean) * scale + bn.bias)
            name = conv_node.target + "_folded"
            gm.add_submodule(name, fused)
            conv_node.target = name
            node.replace_all_uses_with(conv_node)
            gm.graph.erase_node(node)
    return finish(gm)
''',
    "fuse_elementwise": '''
def fuse_elementwise(gm):
    nodes = [n for n in gm.graph.nodes if elementwise_input(n) is not None]
    if len(nodes) == 4:                              # the visible model's chain
        steps = [elementwise_step(n) for n in nodes]

        def fused(t):
            for s in steps:
                t = s(t)
            return t

        with gm.graph.inserting_after(nodes[-1]):
            new = gm.graph.call_function(fused, (elementwise_input(nodes[0]),))
        nodes[-1].replace_all_uses_with(new)
        for n in reversed(nodes):
            gm.graph.erase_node(n)
    return finish(gm)
''',
}
