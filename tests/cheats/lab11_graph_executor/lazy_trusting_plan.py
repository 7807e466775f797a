"""Lazy lab11_graph_executor submission: a memory plan that is only checked against its own lifetimes.

liveness forgets that graph outputs must survive the whole run (they are handed back to the caller), and
memory_profile follows it. plan_memory is the reference's greedy-by-size planner on those lifetimes, so it lets
outputs share bytes with tensors computed after their last read -- a plan that corrupts the results. The old test
checked the plan with the submission's own liveness and passed it; execute keeps its own (correct) lifetimes, so
only the liveness and planning parts must lose their points.
"""

KIND = "lazy: memory plan checked against its own wrong lifetimes"
BASE = "reference"
FAIL = {"test_liveness", "test_plan_memory"}

CELLS = {
    "liveness": r'''def liveness(graph, order):
    """Born at its step, dead after its last reader (outputs included)."""
    step = {n: i for i, n in enumerate(order)}
    live = {n: [i, i] for n, i in step.items()}
    for n in order:
        for i in graph.nodes[n].inputs:
            live[i][1] = max(live[i][1], step[n])
    return {n: tuple(v) for n, v in live.items()}


def memory_profile(graph, order):
    live = liveness(graph, order)
    profile = [0] * len(order)
    for n, (first, last) in live.items():
        for i in range(first, min(last, len(order) - 1) + 1):
            profile[i] += tensor_bytes(graph.nodes[n].shape)
    return profile
''',
    "execute": r'''def execute(graph, feeds):
    inputs = graph.input_names()
    for name in feeds:
        if name not in inputs:
            raise ValueError(f"feed {name!r} does not name an input of the graph")
    for name in inputs:
        if name not in feeds:
            raise ValueError(f"input {name!r} has no feed")
        if np.shape(feeds[name]) != tuple(graph.nodes[name].attrs["shape"]):
            raise ValueError(f"feed {name!r} has the wrong shape")
    order = topo_order(graph)
    step = {n: i for i, n in enumerate(order)}
    last = dict(step)
    for n in order:
        for i in graph.nodes[n].inputs:
            last[i] = max(last[i], step[n])
    for o in graph.outputs:
        last[o] = len(order)
    dies = {}
    for n, s in last.items():
        dies.setdefault(s, []).append(n)
    values, peak = {}, 0
    for s, name in enumerate(order):
        node = graph.nodes[name]
        values[name] = np.array(feeds[name], dtype=np.float64) if node.op == "input" else run_kernel(
            node, [values[i] for i in node.inputs])
        peak = max(peak, sum(v.nbytes for v in values.values()))
        for dead in dies.get(s, []):
            del values[dead]
    return {o: values[o] for o in graph.outputs}, peak
''',
}
