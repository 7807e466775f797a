"""Lazy lab11_graph_executor submission: the graph re-run as eager PyTorch and differentiated by PyTorch.

grad interprets the graph with torch operators, a Python `if` for cond and a Python loop for while (a dynamic
graph, recorded by PyTorch's own tape), and calls `backward()` on the weighted sum of the outputs: no saving, no
VJPs, no rules for control flow of its own. The visible test passes. The call goes through a tensor's method,
which a reading of grad's code cannot resolve to torch.autograd (naming torch.autograd.grad is refused by that
reading); the hidden test's run-time switch (torch.autograd.backward, whatever name reaches it) must make Part 7
score 0. Every other part is the reference's.
"""

KIND = "lazy: eager PyTorch copy differentiated by Tensor.backward"
BASE = "reference"
FAIL = {"test_gradients"}

CELLS = {
    "gradients": r'''import torch


def grad(graph, feeds, seeds):
    """The graph re-run as an eager PyTorch program (Python if/while), differentiated by torch.autograd."""
    def run(g, env):
        vals = {}
        for name in topo_order(g):
            node = g.nodes[name]
            a = [vals[i] for i in node.inputs]
            if node.op == "input":
                vals[name] = env[name]
            elif node.op == "const":
                vals[name] = torch.tensor(node.attrs["value"], dtype=torch.float64)
            elif node.op == "cond":
                b = node.attrs["then_graph" if a[0].item() != 0 else "else_graph"]
                vals[name] = run(b, dict(zip(b.input_names(), a[1:])))[b.outputs[0]]
            elif node.op == "while":
                x = a[0]
                for _ in range(node.attrs["max_iters"]):
                    c = node.attrs["cond_graph"]
                    if run(c, dict(zip(c.input_names(), [x] + a[1:])))[c.outputs[0]].item() == 0:
                        break
                    b = node.attrs["body_graph"]
                    x = run(b, dict(zip(b.input_names(), [x] + a[1:])))[b.outputs[0]]
                vals[name] = x
            elif node.op == "sum":
                axis, keep = node.attrs.get("axis"), node.attrs.get("keepdims", False)
                vals[name] = (a[0].sum().reshape((1,) * a[0].dim()) if keep else a[0].sum()) if axis is None \
                    else a[0].sum(dim=axis, keepdim=keep)
            elif node.op == "transpose":
                vals[name] = a[0].permute(*reversed(range(a[0].dim())))
            elif node.op == "less":
                vals[name] = (a[0] < a[1]).double()
            else:
                vals[name] = {"relu": torch.relu, "exp": torch.exp, "neg": torch.neg, "tanh": torch.tanh,
                              "add": torch.add, "sub": torch.sub, "mul": torch.mul, "maximum": torch.maximum,
                              "matmul": torch.matmul}[node.op](*a)
        return vals

    leaves = {n: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for n, v in feeds.items()}
    vals = run(graph, leaves)
    outs = [o for o in seeds if vals[o].requires_grad]
    if outs:
        total = sum((vals[o] * torch.as_tensor(np.asarray(seeds[o], dtype=np.float64))).sum() for o in outs)
        total.backward()
    got = [leaf.grad for leaf in leaves.values()]
    grads = {n: np.zeros(np.shape(feeds[n])) if d is None else d.numpy() for n, d in zip(leaves, got)}
    return {o: vals[o].detach().numpy() for o in graph.outputs}, grads
''',
}
