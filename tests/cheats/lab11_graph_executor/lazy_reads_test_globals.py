"""Lazy lab11_graph_executor submission: execute reads the hidden test's own variables.

Test cells run in the notebook's global namespace, so a function written in an answer cell can read, by name, any
variable a test left there when the test calls it. The old hidden test of Part 4 bound `expected` (the eagerly
computed outputs) and `shapes` (every node's shape) as globals right before calling execute: this execute returns
those outputs and the profile peak computed from those shapes, and does no work at all on the test's random graphs
(node names t0, t1, ...); it runs honestly only on other graphs (the visible example, control-flow sub-graphs).
The hidden tests now keep their variables inside functions, so this submission must lose Part 4 and only Part 4.
"""

KIND = "lazy: reads the test's expected outputs from the notebook globals"
BASE = "reference"
FAIL = {"test_execute"}

CELLS = {
    "execute": r'''import re


def execute(graph, feeds):
    if all(re.fullmatch(r"t\d+", name) for name in graph.nodes):
        try:
            answers, sizes = expected, shapes            # the hidden test's variables, when it leaves them around
        except NameError:
            answers = sizes = None
        if isinstance(answers, dict) and set(answers) == set(graph.outputs) and isinstance(sizes, dict):
            for name, node in graph.nodes.items():
                node.shape = sizes[name]
            order = topo_order(graph)
            peak = max(memory_profile(graph, order), default=0)
            for node in graph.nodes.values():
                node.shape = None
            return dict(answers), peak
        return {o: np.zeros(1) for o in graph.outputs}, 0
    inputs = graph.input_names()
    for name in feeds:
        if name not in inputs:
            raise ValueError(f"feed {name!r} does not name an input of the graph (inputs: {inputs})")
    for name in inputs:
        if name not in feeds:
            raise ValueError(f"input {name!r} has no feed")
        if np.shape(feeds[name]) != tuple(graph.nodes[name].attrs["shape"]):
            raise ValueError(f"feed {name!r} has the wrong shape")
    order = topo_order(graph)
    live = liveness(graph, order)
    last_use = {}
    for name, (_, last) in live.items():
        last_use.setdefault(last, []).append(name)
    values, peak = {}, 0
    for step, name in enumerate(order):
        node = graph.nodes[name]
        values[name] = np.array(feeds[name], dtype=np.float64) if node.op == "input" else run_kernel(
            node, [values[i] for i in node.inputs])
        peak = max(peak, sum(v.nbytes for v in values.values()))
        for dead in last_use.get(step, []):
            del values[dead]
    return {o: values[o] for o in graph.outputs}, peak
''',
}
