"""Lazy lab11_graph_executor submission: a cond gradient that runs both branches and selects.

The reference's reverse pass, except that a cond runs both branches forward (keeping the taken one's output) and
its backward runs both branches' VJPs, the other one's gradient multiplied by 0 -- the select a vectorised
program uses instead of a branch. The gradients are right (the visible test passes), but the part asks for a cond
on the same predicate: nothing of the branch not taken may run. The hidden tests count the kernels and VJPs of
both branches and must fail Part 7. Every other part is the reference's.
"""

KIND = "lazy: cond gradient over both branches, selected by the predicate"
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
                runs = {}
                for key in ("then_graph", "else_graph"):     # both branches, then a select (like tf.where)
                    branch = node.attrs[key]
                    runs[key] = forward(branch, dict(zip(branch.input_names(), args[1:])))
                taken = "then_graph" if args[0] != 0 else "else_graph"
                values[name] = runs[taken][0][node.attrs[taken].outputs[0]]
                saved[name] = (float(args[0] != 0), runs)
            elif node.op == "while":
                body, x, captured = node.attrs["body_graph"], args[0], args[1:]
                stack = []                                               # one entry per iteration, pushed in order
                for _ in range(int(node.attrs["max_iters"])):
                    if run_graph(node.attrs["cond_graph"], [x] + captured) == 0:
                        break
                    body_values, body_saved = forward(body, dict(zip(body.input_names(), [x] + captured)))
                    stack.append((body_values, body_saved))
                    x = body_values[body.outputs[0]]
                values[name] = x
                saved[name] = stack
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
                p, runs = saved[name]
                in_grads = [None] + [0.0] * (len(node.inputs) - 1)
                for key, weight in (("then_graph", p), ("else_graph", 1.0 - p)):
                    branch = node.attrs[key]
                    branch_grads = backward(branch, *runs[key], {branch.outputs[0]: gout * weight})
                    in_grads = [None] + [total + branch_grads[i] for total, i in zip(in_grads[1:], branch.input_names())]
            elif node.op == "while":               # the body's backward once per iteration, last iteration first
                body = node.attrs["body_graph"]
                names = body.input_names()
                gx, gc = gout, [np.zeros(np.shape(c)) for c in args[1:]]
                for body_values, body_saved in reversed(saved[name]):
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
