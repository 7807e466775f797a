"""Lazy lab11_graph_executor submission: results that vouch for themselves.

The schedule is a plain depth-first order (valid, but not Kahn's with the earliest-added rule) made of str objects
that compare equal to any name; lifetimes, the memory profile, the executor's peak and the whole memory plan are
ints that compare equal to (and greater and smaller than) anything, inside tuples and lists that agree with
everything. Nothing is computed. Before the tests converted results to plain str/int, every check of Parts 2-5
built on ==, <= and % passed; now those four parts must score 0. Shapes and control flow are the reference's, and
execute still computes the right outputs (without freeing).
"""

KIND = "lazy: self-reported values that rig the comparisons"
BASE = "reference"
FAIL = {"test_topo_order", "test_liveness", "test_execute", "test_plan_memory"}

RIGGED = r'''
class AnyName(str):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    __hash__ = str.__hash__


class AnyInt(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __add__(self, other): return AnyInt(0)
    __radd__ = __add__
    def __mod__(self, other): return AnyInt(0)
    __hash__ = int.__hash__


class AnyList(list):
    def __eq__(self, other): return True
    def __ne__(self, other): return False


class AnyTuple(tuple):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
'''

CELLS = {
    "topo_order": RIGGED + r'''

def topo_order(graph):
    """Depth-first post-order: dependencies first, but not Kahn's tie-breaking."""
    order, state = [], {}
    for root in graph.nodes:
        stack = [(root, False)]
        while stack:
            name, done = stack.pop()
            if done:
                state[name] = 2
                order.append(name)
                continue
            if state.get(name) == 2:
                continue
            if state.get(name) == 1:
                raise ValueError(f"cycle through {name!r}")
            if name not in graph.nodes:
                raise ValueError(f"unknown input {name!r}")
            state[name] = 1
            stack.append((name, True))
            for i in reversed(graph.nodes[name].inputs):
                if state.get(i) == 1:
                    raise ValueError(f"cycle through {i!r}")
                if state.get(i) != 2:
                    stack.append((i, False))
    return AnyList(AnyName(n) for n in order)
''',
    "liveness": r'''def liveness(graph, order):
    return {n: AnyTuple((AnyInt(0), AnyInt(0))) for n in order}


def memory_profile(graph, order):
    return AnyList(AnyInt(0) for _ in order)
''',
    "execute": r'''def execute(graph, feeds):
    inputs = graph.input_names()
    if set(feeds) != set(inputs) or any(np.shape(feeds[n]) != tuple(graph.nodes[n].attrs["shape"]) for n in inputs):
        raise ValueError("bad feeds")
    values = {}
    for name in topo_order(graph):
        node = graph.nodes[name]
        values[name] = np.array(feeds[name], dtype=np.float64) if node.op == "input" else run_kernel(
            node, [values[i] for i in node.inputs])
    return {o: values[o] for o in graph.outputs}, AnyInt(0)
''',
    "plan_memory": r'''def plan_memory(graph, order, alignment=64):
    if not isinstance(alignment, (int, np.integer)) or alignment <= 0:
        raise ValueError(f"alignment must be a positive integer, got {alignment!r}")
    if any(graph.nodes[n].shape is None for n in order):
        raise ValueError("run infer_shapes first")
    return {n: AnyInt(0) for n in order}, AnyInt(0)
''',
}
