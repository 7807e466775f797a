"""The passes as the lab's first reference wrote them: right on pure graphs, unsound on impure ones (issue 19).

- DCE trusts a purity rule that only knows names ending in "_" and a short list of random functions:
  it erases F.relu(y, inplace=True), nn.ReLU(inplace=True), out= writes, torch.randperm, x.bernoulli(), ...;
- constant folding ignores writes: it folds torch.zeros_like(self.w) although add_ writes into it (returns 0
  instead of 2x), and folds expressions of a parameter or buffer that the graph writes into;
- CSE merges y.sum() before and after y.add_(1), and reads of a view across a write;
- Conv-BN folding folds a training-mode BN (which normalises with batch statistics) and crashes on a BN
  without running statistics;
- fusion puts the fused node after the chain's last node, so it reads the chain's input after a write.

Each must lose its part (every hidden test now includes these cases); the arithmetic of Part 4 is the
reference's.
"""

KIND = "lazy: unsound passes (no side effects, aliasing or BN mode)"
BASE = "reference"
FAIL = {"test_dce", "test_constant_fold", "test_cse", "test_fold_conv_bn", "test_fuse_elementwise"}

CELLS = {
    "dce": '''
OLD_IMPURE = {torch.rand, torch.randn, torch.randint, torch.rand_like, torch.randn_like, torch.randint_like,
              torch.bernoulli, torch.normal, torch.dropout, F.dropout, operator.setitem}


def old_is_impure(node):
    if node.op in ("placeholder", "output"):
        return True
    if node.op == "call_function":
        return node.target in OLD_IMPURE or getattr(node.target, "__name__", "").endswith("_")
    if node.op == "call_method":
        return node.target.endswith("_")
    return False


def eliminate_dead_code(gm):
    """Erase nodes whose result nobody uses and that are not impure; returns finish(gm)."""
    for node in reversed(list(gm.graph.nodes)):
        if len(node.users) == 0 and not old_is_impure(node):
            gm.graph.erase_node(node)
    return finish(gm)
''',
    "constant_fold": '''
def constant_fold(gm):
    """Pre-compute every pure node that depends only on parameters/buffers; returns finish(gm)."""
    graph = gm.graph
    value = {}
    for node in graph.nodes:
        if node.op == "get_attr":
            value[node] = fetch_attr(gm, node.target)
        elif (node.op in ("call_function", "call_method") and not is_impure(node)
              and all(i in value for i in node.all_input_nodes)):
            args = map_arg(node.args, lambda n: value[n])
            kwargs = map_arg(node.kwargs, lambda n: value[n])
            with torch.no_grad():
                if node.op == "call_function":
                    value[node] = node.target(*args, **kwargs)
                else:
                    value[node] = getattr(args[0], node.target)(*args[1:], **kwargs)
    for k, node in enumerate(list(graph.nodes)):
        if node not in value or node.op == "get_attr" or all(u in value for u in node.users):
            continue
        gm.register_buffer(f"_folded_{k}", value[node].detach().clone())
        with graph.inserting_before(node):
            new = graph.get_attr(f"_folded_{k}")
        node.replace_all_uses_with(new, delete_user_cb=lambda user: user not in value)
    for node in reversed(list(graph.nodes)):
        if node in value and len(node.users) == 0:
            graph.erase_node(node)
    return finish(gm)
''',
    "cse": '''
def common_subexpression_elimination(gm):
    """Merge pure nodes that repeat an earlier node's op, target and arguments; returns finish(gm)."""
    first = {}
    for node in list(gm.graph.nodes):
        if is_impure(node):
            continue
        key = (node.op, node.target, repr(node.args), repr(node.kwargs))
        if key in first:
            node.replace_all_uses_with(first[key])
            gm.graph.erase_node(node)
        else:
            first[key] = node
    return finish(gm)
''',
    "fold_conv_bn": '''
def fold_conv_bn(gm):
    """Fold every eval-mode BatchNorm2d that follows a single-use Conv2d into a new conv; returns finish(gm)."""
    modules = dict(gm.named_modules())
    for k, node in enumerate(list(gm.graph.nodes)):
        if node.op != "call_module" or not isinstance(modules.get(node.target), nn.BatchNorm2d):
            continue
        conv_node = node.args[0]
        if not (isinstance(conv_node, fx.Node) and conv_node.op == "call_module"
                and isinstance(modules.get(conv_node.target), nn.Conv2d)) or len(conv_node.users) != 1:
            continue
        conv, bn = modules[conv_node.target], modules[node.target]
        fused = copy.deepcopy(conv)
        with torch.no_grad():
            w, b = fold_conv_bn_weights(conv.weight, conv.bias, bn.running_mean, bn.running_var,
                                        bn.weight, bn.bias, bn.eps)
        fused.weight, fused.bias = nn.Parameter(w.clone()), nn.Parameter(b.clone())
        gm.add_submodule(f"folded_{k}", fused)
        conv_node.target = f"folded_{k}"
        node.replace_all_uses_with(conv_node)
        gm.graph.erase_node(node)
    return finish(gm)
''',
    "fuse_elementwise": '''
def fuse_elementwise(gm):
    """Replace each chain of >= 2 single-use elementwise nodes by one call_function node; returns finish(gm)."""
    graph = gm.graph
    chains, chain_of = [], {}
    for node in graph.nodes:
        src = elementwise_input(node)
        if src is None:
            continue
        if src in chain_of and len(src.users) == 1:
            chain_of[src].append(node)
            chain_of[node] = chain_of[src]
        else:
            chains.append([node])
            chain_of[node] = chains[-1]
    for chain in chains:
        if len(chain) < 2:
            continue
        steps = [elementwise_step(n) for n in chain]

        def fused(t, steps=steps):
            for step in steps:
                t = step(t)
            return t

        with graph.inserting_after(chain[-1]):
            new = graph.call_function(fused, (elementwise_input(chain[0]),))
        chain[-1].replace_all_uses_with(new)
        for n in reversed(chain):
            graph.erase_node(n)
    return finish(gm)
''',
}
