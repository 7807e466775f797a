"""Red team: Part 5's folded convs made by torch.nn.utils.fusion.fuse_conv_bn_eval, after the forbidden block.

The pass does the pattern match (eval-mode BN with running stats after a single-use Conv2d), registers an
*unfolded* copy of each conv under a fresh name, points the conv node at it and erases the BN node, then returns a
``FuseLater`` (a ``torch.fx.GraphModule`` subclass) that remembers the (name, conv, bn) pairs. Its ``graph``
property, the first time the test reads it in ``rebuilt`` -- after ``with forbidden(fusion.fuse_conv_bn_weights,
fusion.fuse_conv_bn_eval, ...)`` has ended -- replaces each placeholder with ``fuse_conv_bn_eval(conv, bn)``, i.e.
PyTorch computes every folded weight and bias. Scored 15/15 for Part 5 when checked with course.py check; should
score 0 (the fold itself is PyTorch's; only the pattern match is the student's). Same window as
redteam_deferred_dce and redteam_bn_after_block. Fix idea: copy the returned module (``rebuilt``) inside the
forbidden block, refuse GraphModule subclasses that are not fx's per-instance class, and compare the new convs'
weights with folded values computed by the test.

Now caught: Part 5 copies and reads the returned module inside the forbidden block and refuses a class that is not
fx's own per-instance GraphModule class ("fold_conv_bn must return fx's own GraphModule ..., not an instance of
FuseLater"); it also requires plain nn.Parameter/torch.Tensor parameters and buffers and compares each conv's weight
and bias with folds the test computes itself. course.py check after the fix: 85/100, test_fold_conv_bn 0/15,
every other part full.
"""

KIND = 'work after the watch: fuse_conv_bn_eval run from a GraphModule subclass graph property after the forbidden block'
BASE = "reference"
FAIL = {'test_fold_conv_bn'}

CELLS = {
    'fold_conv_bn': '''
from torch.nn.utils.fusion import fuse_conv_bn_eval


class FuseLater(fx.GraphModule):
    @property
    def graph(self):
        for name, conv, bn in getattr(self, "pending", ()):
            self.add_submodule(name, fuse_conv_bn_eval(conv, bn))
        self.pending = ()
        return fx.GraphModule.graph.fget(self)

    @graph.setter
    def graph(self, g):
        fx.GraphModule.graph.fset(self, g)


def fold_conv_bn(gm):
    """Fold every eval-mode BatchNorm2d that follows a single-use Conv2d into a new conv; returns finish(gm)."""
    modules = dict(gm.named_modules())
    pending = []
    for node in list(gm.graph.nodes):
        if node.op != "call_module" or type(modules.get(node.target)) is not nn.BatchNorm2d:
            continue
        bn = modules[node.target]
        src = node.args[0] if node.args else None
        if not isinstance(src, fx.Node) or src.op != "call_module" or type(modules.get(src.target)) is not nn.Conv2d:
            continue
        if len(src.users) != 1 or bn.training or not bn.track_running_stats or bn.running_mean is None:
            continue
        name = f"_folded_conv_{len(pending)}"
        pending.append((name, modules[src.target], bn))
        gm.add_submodule(name, copy.deepcopy(modules[src.target]))     # unfolded for now
        src.target = name
        node.replace_all_uses_with(src)
        gm.graph.erase_node(node)
    finish(gm)
    out = FuseLater(gm, gm.graph, gm.__class__.__name__)
    out.pending = tuple(pending)
    return out
''',
}
