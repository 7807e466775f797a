"""Lazy lab11_graph_executor submission: a loop gradient that recomputes instead of saving.

The reference's reverse pass, except that a while node keeps only its starting value and its trip count. In the
backward, iteration k's values are rebuilt by running the body k times from the start and once more to get its
intermediate values: correct gradients (the visible test passes) at a cost quadratic in the trip count, where the
part asks for the values each iteration saved. The hidden tests count each body node's kernels (exactly once per
iteration) and must fail Part 7. Every other part is the reference's.
"""

KIND = "lazy: recomputes each loop iteration from scratch in the backward"
BASE = "reference"
FAIL = {"test_gradients"}

CELLS = {
    "gradients": r'''def grad(graph, feeds, seeds):
    """Reverse-mode gradients of sum_o <seeds[o], o>: ({output name: value}, {input name: gradient})."""
    def forward(g, feeds):
        """Run g keeping every value: ({tensor: value}, {cond/while node: what its backward needs})."""
        inputs = g.input_names()
        if sorted(feeds) != sorted(inputs):
            raise ValueError(f"feeds {sorted(feeds)} do not match the graph's inputs {sorted(inputs)}")
        values, saved = {}, {}
        for name in topo_order(g):
            node = g.nodes[name]
            args = [values[i] for i in node.inputs]
            if node.op == "input":
                values[name] = np.array(feeds[name], dtype=np.float64)
            elif node.op == "cond":
                if np.shape(args[0]) != ():
                    raise ValueError(f"cond {name!r}: the predicate must be a scalar")
                taken = "then_graph" if args[0] != 0 else "else_graph"
                branch = node.attrs[taken]
                branch_values, branch_saved = forward(branch, dict(zip(branch.input_names(), args[1:])))
                values[name] = branch_values[branch.outputs[0]]
                saved[name] = (taken, branch_values, branch_saved)        # the decision and what the branch computed
            elif node.op == "while":
                body, x, captured = node.attrs["body_graph"], args[0], args[1:]
                x0, trips = x, 0
                for _ in range(int(node.attrs["max_iters"])):
                    if run_graph(node.attrs["cond_graph"], [x] + captured) == 0:
                        break
                    x = run_graph(body, [x] + captured)
                    trips += 1
                values[name] = x
                saved[name] = (x0, trips)            # only the start and the trip count: nothing per iteration
            else:
                values[name] = run_kernel(node, args)
        return values, saved

    def backward(g, values, saved, seeds):
        """Sweep g in reverse from the gradients ``seeds`` of some of its tensors: {input name: gradient}."""
        grads = {}

        def add(name, gi):
            grads[name] = grads[name] + gi if name in grads else np.asarray(gi, dtype=np.float64)

        for name, gi in seeds.items():
            add(name, np.broadcast_to(np.asarray(gi, dtype=np.float64), np.shape(values[name])))
        for name in reversed(topo_order(g)):
            node = g.nodes[name]
            if name not in grads or node.op in ("input", "const"):
                continue
            gout, args = grads[name], [values[i] for i in node.inputs]
            if node.op == "cond":                  # a cond on the same decision, over the branches' gradients
                taken, branch_values, branch_saved = saved[name]
                branch = node.attrs[taken]
                branch_grads = backward(branch, branch_values, branch_saved, {branch.outputs[0]: gout})
                in_grads = [None] + [branch_grads[i] for i in branch.input_names()]    # no gradient for the predicate
            elif node.op == "while":               # the body's backward once per iteration, last iteration first
                body = node.attrs["body_graph"]
                names = body.input_names()
                gx, gc = gout, [np.zeros(np.shape(c)) for c in args[1:]]
                x0, trips = saved[name]
                for k in reversed(range(trips)):
                    xk = x0
                    for _ in range(k):               # iteration k's input, recomputed from the start
                        xk = run_graph(body, [xk] + list(args[1:]))
                    body_values, body_saved = forward(body, dict(zip(names, [xk] + list(args[1:]))))
                    body_grads = backward(body, body_values, body_saved, {body.outputs[0]: gx})
                    gx = body_grads[names[0]]
                    gc = [total + body_grads[n] for total, n in zip(gc, names[1:])]
                in_grads = [gx] + gc
            else:
                in_grads = run_vjp(node, args, values[name], gout)
            for i, gi in zip(node.inputs, in_grads):
                if gi is not None:
                    add(i, gi)
        return {n: grads[n] if n in grads else np.zeros(np.shape(values[n])) for n in g.input_names()}

    values, saved = forward(graph, feeds)
    return {o: values[o] for o in graph.outputs}, backward(graph, values, saved, seeds)
''',
}
