"""Lazy lab11_graph_executor submission: gradients by finite differences, no reverse pass.

grad runs execute once for the outputs and then twice more per entry of every input (central differences with a
step of 1e-6). Its numbers are close to the true gradients (the visible test passes), but it never runs a VJP and
runs every kernel 2 * (number of input entries) + 1 times: Part 7's hidden tests, which count the kernels and VJPs
of the nodes on the path from the inputs to the outputs, must fail it. Every other part is the reference's.
"""

KIND = "lazy: finite differences instead of reverse mode"
BASE = "reference"
FAIL = {"test_gradients"}

CELLS = {
    "gradients": r'''def grad(graph, feeds, seeds):
    """Central differences: the gradient of sum_o <seeds[o], o> one input entry at a time."""
    def objective(f):
        outs, _ = execute(graph, f)
        return sum(float(np.sum(np.asarray(seeds[o]) * outs[o])) for o in seeds)

    outs, _ = execute(graph, feeds)
    grads, h = {}, 1e-6
    for name in graph.input_names():
        base = np.array(feeds[name], dtype=np.float64)
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            up, down = base.copy(), base.copy()
            up[idx] += h
            down[idx] -= h
            g[idx] = (objective({**feeds, name: up}) - objective({**feeds, name: down})) / (2 * h)
        grads[name] = g
    return outs, grads
''',
}
