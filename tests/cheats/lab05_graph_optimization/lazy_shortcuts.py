"""Shortcuts that skip part of what a pass must do, each passing the visible test.

- constant folding evaluates nodes with their positional arguments only (drops kwargs: sum(w, dim=0,
  keepdim=True) becomes sum(w));
- Conv-BN arithmetic runs the BatchNorm itself on the conv's weight and bias instead of deriving w', b'
  (F.batch_norm with the channels of the weight in the batch-norm's channel position);
- Conv-BN rewrite does not fold at all: it wraps each conv and its BN in one nn.Sequential module, so the
  graph has one call_module node per pair and no BatchNorm node, but runs the BN on every call;
- fusion wraps each chain in an nn.Module (a call_module node), not one call_function.

DCE and CSE are the reference's. Each shortcut must lose its part.
"""

KIND = "lazy: shortcuts (kwargs dropped, BN run instead of folded, wrappers)"
BASE = "reference"
FAIL = {"test_constant_fold", "test_fold_weights", "test_fold_conv_bn", "test_fuse_elementwise"}

CELLS = {
    "constant_fold": '''
def constant_fold(gm):
    """Pre-compute every pure node that depends only on parameters/buffers; returns finish(gm)."""
    graph = gm.graph
    mutated = mutated_nodes(gm)
    value = {}
    for node in graph.nodes:
        if node in mutated:
            continue
        if node.op == "get_attr":
            value[node] = fetch_attr(gm, node.target)
        elif (node.op in ("call_function", "call_method") and not is_impure(node)
              and all(i in value for i in node.all_input_nodes)):
            args = map_arg(node.args, lambda n: value[n])          # kwargs "rarely matter"
            with torch.no_grad():
                if node.op == "call_function":
                    value[node] = node.target(*args)
                else:
                    value[node] = getattr(args[0], node.target)(*args[1:])
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
    "fold_weights": '''
def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    if bias is None:
        bias = torch.zeros_like(mean)
    # BN is affine per channel: run it on the bias (as a 1-pixel image) and on the weight without shifts.
    new_bias = F.batch_norm(bias.reshape(1, -1), mean, var, gamma, beta, False, 0.0, eps).reshape(-1)
    flat = weight.reshape(weight.shape[0], -1).t()
    new_weight = F.batch_norm(flat, torch.zeros_like(mean), var, gamma, None, False, 0.0, eps).t()
    return new_weight.reshape(weight.shape), new_bias
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
                and isinstance(modules.get(conv_node.target), nn.Conv2d)):
            continue
        bn = modules[node.target]
        if len(conv_node.users) != 1 or bn.training or not bn.track_running_stats:
            continue
        gm.add_submodule(f"pair_{k}", nn.Sequential(modules[conv_node.target], bn))
        conv_node.target = f"pair_{k}"
        node.replace_all_uses_with(conv_node)
        gm.graph.erase_node(node)
    return finish(gm)
''',
    "fuse_elementwise": '''
class Chain(nn.Module):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps

    def forward(self, t):
        for step in self.steps:
            t = step(t)
        return t


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
    for k, chain in enumerate(chains):
        if len(chain) < 2:
            continue
        gm.add_submodule(f"chain_{k}", Chain([elementwise_step(n) for n in chain]))
        with graph.inserting_before(chain[0]):
            new = graph.call_module(f"chain_{k}", (elementwise_input(chain[0]),))
        chain[-1].replace_all_uses_with(new)
        for n in reversed(chain):
            graph.erase_node(n)
    return finish(gm)
''',
}
