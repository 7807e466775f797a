"""Lazy lab11_graph_executor submission: decoy VJP calls, gradients from finite differences.

The forward run computes every node once through run_kernel (the counts a saving reverse pass would have), and the
backward calls run_vjp once per saved evaluation, last first, with the saved inputs and output -- but with a dummy
output gradient of ones, and its results are thrown away. The gradients returned come from central differences
over a private NumPy interpreter of the graph that never touches the lab's kernels. Counting the calls is not
enough: the hidden test compares the output gradient each VJP receives with the gradient that really reaches that
evaluation, so Part 7 must score 0. Every other part is the reference's.
"""

KIND = "lazy: decoy VJP calls with gradients from finite differences"
BASE = "reference"
FAIL = {"test_gradients"}

CELLS = {
    "gradients": r'''def grad(graph, feeds, seeds):
    """Decoy VJPs: the forward run saves every value and the backward calls run_vjp on each saved evaluation, last
    first, with a dummy output gradient; the gradients returned come from central differences over a private NumPy
    interpreter of the graph (no KERNELS, so the kernels it runs are not the lab's)."""
    OPS = {"relu": lambda a: np.maximum(a[0], 0.0), "exp": lambda a: np.exp(a[0]), "neg": lambda a: -a[0],
           "tanh": lambda a: np.tanh(a[0]), "add": lambda a: a[0] + a[1], "sub": lambda a: a[0] - a[1],
           "mul": lambda a: a[0] * a[1], "maximum": lambda a: np.maximum(a[0], a[1]),
           "less": lambda a: (a[0] < a[1]).astype(float), "matmul": lambda a: a[0] @ a[1],
           "transpose": lambda a: np.transpose(a[0])}

    def private(g, env):
        env = dict(env)
        for name in topo_order(g):
            node = g.nodes[name]
            a = [env[i] for i in node.inputs]
            if node.op == "input":
                continue
            if node.op == "const":
                env[name] = node.attrs["value"]
            elif node.op == "sum":
                env[name] = np.sum(a[0], axis=node.attrs.get("axis"), keepdims=node.attrs.get("keepdims", False))
            elif node.op == "cond":
                b = node.attrs["then_graph" if a[0] != 0 else "else_graph"]
                env[name] = private(b, dict(zip(b.input_names(), a[1:])))[b.outputs[0]]
            elif node.op == "while":
                x = a[0]
                for _ in range(int(node.attrs["max_iters"])):
                    c = node.attrs["cond_graph"]
                    if private(c, dict(zip(c.input_names(), [x] + a[1:])))[c.outputs[0]] == 0:
                        break
                    b = node.attrs["body_graph"]
                    x = private(b, dict(zip(b.input_names(), [x] + a[1:])))[b.outputs[0]]
                env[name] = x
            else:
                env[name] = OPS[node.op](a)
        return env

    log = []

    def forward(g, env):
        env = dict(env)
        for name in topo_order(g):
            node = g.nodes[name]
            a = [env[i] for i in node.inputs]
            if node.op == "input":
                continue
            if node.op == "cond":
                b = node.attrs["then_graph" if a[0] != 0 else "else_graph"]
                env[name] = forward(b, dict(zip(b.input_names(), a[1:])))[b.outputs[0]]
            elif node.op == "while":
                x = a[0]
                for _ in range(int(node.attrs["max_iters"])):
                    if run_graph(node.attrs["cond_graph"], [x] + a[1:]) == 0:
                        break
                    b = node.attrs["body_graph"]
                    x = forward(b, dict(zip(b.input_names(), [x] + a[1:])))[b.outputs[0]]
                env[name] = x
            else:
                env[name] = run_kernel(node, a)
                log.append((node, a, env[name]))
        return env

    feeds = {n: np.array(v, dtype=np.float64) for n, v in feeds.items()}
    env = forward(graph, feeds)
    for node, a, out in reversed(log):
        if node.op != "const":
            run_vjp(node, a, out, np.ones(np.shape(out)))

    def objective(f):
        e = private(graph, f)
        return sum(float(np.sum(np.asarray(seeds[o]) * e[o])) for o in seeds)

    grads = {}
    for name in graph.input_names():
        g = np.zeros(np.shape(feeds[name]))
        for idx in np.ndindex(g.shape):
            up, down = feeds[name].copy(), feeds[name].copy()
            up[idx] += 1e-6
            down[idx] -= 1e-6
            g[idx] = (objective({**feeds, name: up}) - objective({**feeds, name: down})) / 2e-6
        grads[name] = g
    return {o: env[o] for o in graph.outputs}, grads
''',
}
