"""Red team: Part 1 by fx's own Graph.eliminate_dead_code, run when the test reads the graph (after the block).

``eliminate_dead_code`` returns an instance of ``Deferred``, a ``torch.fx.GraphModule`` subclass built from the
input (same graph, same attributes) whose ``graph`` property, the first time it is read, calls
``Graph.eliminate_dead_code(is_impure_node=is_impure)`` -- the routine the part switches off. The tests call the
pass inside ``with forbidden(fx.Graph.eliminate_dead_code)`` but ``rebuilt(result, before)`` reads ``gm.graph``
(``type(gm.graph) is fx.Graph``, ``copy.deepcopy(gm.graph)``) after the block, when the code object is restored;
``isinstance(gm, fx.GraphModule)`` accepts the subclass. With the lab's own purity rule passed in, the library pass
is sound, so every hidden case passes. Scored 15/15 for Part 1 when checked with course.py check; should score 0.
The same window lets any part's switched-off routine run late (a property, ``__deepcopy__`` of an object in
the graph, a lazy tensor: redteam_bn_after_block). A probe of Part 2 the same way (const_fold.split_const_subgraphs
run from the graph property) reached the node-count assertion, so the library ran unhindered; it lost only
because PyTorch folds a hidden case differently (9 nodes expected, 7 left). Fix idea: in every part's wrapper,
do the ``rebuilt`` copy (and any reading of the returned object) inside the forbidden block, and refuse a
returned module whose class is not fx's own (``type(gm).__bases__ == (fx.GraphModule,)``, the per-instance
GraphModuleImpl), or read the graph with ``fx.GraphModule.graph.fget``/``vars(gm)["_graph"]`` instead of the
instance's attribute.

Now caught: every part's test copies and reads the returned module *inside* its forbidden block and refuses a class
that is not fx's per-instance GraphModule class (a direct subclass of fx.GraphModule holding only the code fx
generates, with type as its metaclass). Deferred is refused before its graph property is read ("eliminate_dead_code
must return fx's own GraphModule ..., not an instance of Deferred"), and a graph property read inside the block would
find fx's DCE switched off. course.py check after the fix: 85/100, test_dce 0/15, every other part full.
Regression for a class that fakes its bases and __dict__ with a metaclass: lazy_after_block_variants.
"""

KIND = "work after the watch: GraphModule subclass whose graph property runs fx's DCE after the forbidden block"
BASE = "reference"
FAIL = {'test_dce'}

CELLS = {
    'dce': '''
class Deferred(fx.GraphModule):
    """A GraphModule that runs PyTorch's DCE when its graph is first read."""

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
    out = Deferred(gm, gm.graph, gm.__class__.__name__)
    out.pending = True
    return out
''',
}
