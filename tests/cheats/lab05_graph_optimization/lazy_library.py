"""Every pass handed to the PyTorch routine that already does it (bound early, under other names).

- DCE: fx's own ``Graph.eliminate_dead_code``, bound to a private name before the tests switch it off, with
  the lab's ``is_impure`` passed in (so it would even be sound);
- constant folding: ``torch.fx.experimental.const_fold.split_const_subgraphs``, its folded tuple unpacked
  into one buffer per constant;
- CSE: fx's ``CSEPass`` with the targets of the impure and mutated nodes banned;
- Conv-BN arithmetic: ``torch.nn.utils.fusion.fuse_conv_bn_weights``;
- Conv-BN rewrite: ``torch.nn.utils.fusion.fuse_conv_bn_eval`` on a copy of each pair;
- fusion: fx's ``CapabilityBasedPartitioner`` + ``fuse_by_partitions``.

Each part's tests switch the routine off (by code object, so the early-bound names refuse too) or check
the graph's shape, and must give the part 0.
"""

KIND = "lazy: library routines do each pass"
BASE = "reference"
FAIL = {"test_dce", "test_constant_fold", "test_cse", "test_fold_weights", "test_fold_conv_bn",
        "test_fuse_elementwise"}

CELLS = {
    "dce": '''
_dce = fx.Graph.eliminate_dead_code          # bound early


def eliminate_dead_code(gm):
    """Erase nodes whose result nobody uses and that are not impure; returns finish(gm)."""
    _dce(gm.graph, is_impure_node=is_impure)
    return finish(gm)
''',
    "constant_fold": '''
from torch.fx.experimental.const_fold import split_const_subgraphs as _split


def constant_fold(gm):
    """Pre-compute every pure node that depends only on parameters/buffers; returns finish(gm)."""
    folded = _split(gm)
    folded.run_folding()
    attrs = getattr(folded, "_FX_CONST_FOLDED_ATTRS", None)
    graph = folded.graph
    for k, node in enumerate(list(graph.nodes)):
        if node.op == "call_function" and node.target is operator.getitem and node.args[0].op == "get_attr":
            value = attrs[node.args[1]]
            folded.register_buffer(f"_folded_{k}", value.detach().clone())
            with graph.inserting_before(node):
                new = graph.get_attr(f"_folded_{k}")
            node.replace_all_uses_with(new)
            graph.erase_node(node)
    for node in list(graph.nodes):
        if node.op == "get_attr" and not node.users:
            graph.erase_node(node)
    return finish(folded)
''',
    "cse": '''
from torch.fx.passes.dialect.common.cse_pass import CSEPass


def common_subexpression_elimination(gm):
    """Merge pure nodes that repeat an earlier node's op, target and arguments; returns finish(gm)."""
    mutated = mutated_nodes(gm)
    banned = {n.target for n in gm.graph.nodes if is_impure(n) or n in mutated}
    result = CSEPass(banned_ops=banned)(gm)
    return finish(result.graph_module)
''',
    "fold_weights": '''
from torch.nn.utils.fusion import fuse_conv_bn_weights as _fuse


def fold_conv_bn_weights(weight, bias, mean, var, gamma, beta, eps):
    """Weight and bias of the one convolution equal to conv (weight, bias) followed by an
    eval-mode BatchNorm (mean, var, gamma, beta, eps). bias/gamma/beta may be None."""
    w, b = _fuse(weight, bias, mean, var, eps, gamma, beta)
    return w.detach(), b.detach()
''',
    "fold_conv_bn": '''
from torch.nn.utils import fusion as _fusion


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
        fused = _fusion.fuse_conv_bn_eval(copy.deepcopy(modules[conv_node.target]), bn)
        gm.add_submodule(f"folded_{k}", fused)
        conv_node.target = f"folded_{k}"
        node.replace_all_uses_with(conv_node)
        gm.graph.erase_node(node)
    return finish(gm)
''',
    "fuse_elementwise": '''
from torch.fx.passes.infra.partitioner import CapabilityBasedPartitioner
from torch.fx.passes.operator_support import OperatorSupportBase
from torch.fx.passes.utils.fuser_utils import fuse_by_partitions


class Elementwise(OperatorSupportBase):
    def is_node_supported(self, submodules, node):
        return elementwise_input(node) is not None


def fuse_elementwise(gm):
    """Replace each chain of >= 2 single-use elementwise nodes by one call_function node; returns finish(gm)."""
    partitioner = CapabilityBasedPartitioner(gm, Elementwise(), allows_single_node_partition=False)
    partitions = partitioner.propose_partitions()
    fused = fuse_by_partitions(gm, [{n: None for n in p.nodes} for p in partitions])
    return finish(fused)
''',
}
