"""Red team: "constant folding" that never pre-computes anything (Part 2).

The pass does the lab's constant analysis (not mutated, get_attr or pure call of constants) and rewrites the graph
exactly as the reference would (one get_attr per boundary constant, constant nodes erased), but the attribute each
new get_attr reads is not a tensor: it is a LazyConstant object that holds a small GraphModule of the constant
subgraph and re-runs it on every use (a classmethod ``__torch_function__`` unwraps it for torch functions and
operators, ``__getattr__``/dunders forward everything else). The test's check of folded constants is
``not isinstance(obj, torch.Tensor) or type(obj) in (torch.Tensor, nn.Parameter)``, so a non-tensor passes; node
counts, ``folded_work`` and the outputs are all right. The model does exactly the work it did before folding, on
every call. Scored 20/20 for Part 2 when checked with course.py check; should score 0. Fix idea: require every
get_attr the folded graph reads to be a plain ``torch.Tensor`` or ``nn.Parameter`` (``type(obj) in (...)`` with no
non-tensor escape; call_module targets are a separate op), and/or count the calls of the constant ops while the
folded module runs (a TorchFunctionMode/dispatch mode during ``gm(x)`` that must see no op on parameters only).

Now caught: every attribute a get_attr node of the folded graph reads must be a plain torch.Tensor / nn.Parameter
(strided, CPU) or a Python number (tuples of them), with no escape for non-tensors, and every literal argument of a
node must be a plain value too (so the lazy object cannot be put straight into a user's args either): "a folded
constant must be computed ahead of time and stored as a plain tensor (or a Python number): _folded_0 is a
LazyConstant". The task text says so. course.py check after the fix: 80/100, test_constant_fold 0/20, every
other part full.
"""

KIND = 'lazy: folded get_attr reads a non-tensor that recomputes the constant subgraph on every use'
BASE = "reference"
FAIL = {'test_constant_fold'}

CELLS = {
    'constant_fold': '''
from torch.fx.node import map_aggregate


class LazyConstant:
    """Stands where a folded tensor should be: recomputes the constant subgraph on every use."""

    def __init__(self, module):
        self.module = module

    def value(self):
        return self.module()

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        unwrap = lambda a: a.value() if isinstance(a, LazyConstant) else a
        return func(*map_aggregate(args, unwrap), **map_aggregate(kwargs or {}, unwrap))

    def __getattr__(self, name):
        if name == "module":
            raise AttributeError(name)
        return getattr(self.value(), name)

    def __getitem__(self, index):
        return self.value()[index]

    def __add__(self, other):
        return self.value() + other

    def __radd__(self, other):
        return other + self.value()

    def __sub__(self, other):
        return self.value() - other

    def __rsub__(self, other):
        return other - self.value()

    def __mul__(self, other):
        return self.value() * other

    def __rmul__(self, other):
        return other * self.value()

    def __truediv__(self, other):
        return self.value() / other

    def __rtruediv__(self, other):
        return other / self.value()

    def __matmul__(self, other):
        return self.value() @ other

    def __rmatmul__(self, other):
        return other @ self.value()

    def __neg__(self):
        return -self.value()


def constant_fold(gm):
    """Pre-compute every pure node that depends only on parameters/buffers; returns finish(gm)."""
    graph = gm.graph
    mutated = mutated_nodes(gm)
    constant = []
    for node in graph.nodes:
        if node in mutated:
            continue
        if node.op == "get_attr" or (node.op in ("call_function", "call_method") and not is_impure(node)
                                     and all(i in constant for i in node.all_input_nodes)):
            constant.append(node)
    k = 0
    for node in list(graph.nodes):
        if node not in constant or node.op == "get_attr" or all(u in constant for u in node.users):
            continue
        sub = fx.Graph()
        env = {}
        for c in constant:                       # copy the constant nodes up to this one
            env[c] = sub.node_copy(c, lambda n: env[n])
            if c is node:
                break
        sub.output(env[node])
        sub.eliminate_dead_code()
        name = f"_folded_{k}"
        k += 1
        setattr(gm, name, LazyConstant(fx.GraphModule(gm, sub)))
        with graph.inserting_before(node):
            new = graph.get_attr(name)
        node.replace_all_uses_with(new, delete_user_cb=lambda user: user not in constant)
    for node in reversed(list(graph.nodes)):
        if node in constant and not node.users:
            graph.erase_node(node)
    return finish(gm)
''',
}
