"""A lab11_graph_executor submission that types in the visible answers: honest shape inference and control
flow, but a schedule, lifetimes, peak and memory plan copied from the visible MLP-block example, and the outputs
and gradients of the visible power_graph points typed in. Hidden tests on random graphs must catch it."""

KIND = "hard-coded visible answers"
BASE = "release"      # answer cells not listed below stay unanswered
EXPECT = "partial"    # passes visible tests, loses hidden ones: 0 < score < full

CELLS = {
    'infer_shape': r'''def infer_shape(op, input_shapes, attrs):
    """Output shape (a tuple of ints) of ``op`` applied to tensors of ``input_shapes``."""
    shapes = [tuple(s) for s in input_shapes]
    arity = {"input": 0, "const": 0, "matmul": 2, "sum": 1, "transpose": 1}
    arity.update({u: 1 for u in UNARY})
    arity.update({b: 2 for b in BINARY})
    if op not in arity:
        raise ValueError(f"infer_shape does not know op {op!r}")
    if len(shapes) != arity[op]:
        raise ValueError(f"{op} takes {arity[op]} inputs, got {len(shapes)}")
    if op == "input":
        return tuple(int(d) for d in attrs["shape"])
    if op == "const":
        return tuple(np.shape(attrs["value"]))
    if op in UNARY:
        return shapes[0]
    if op in BINARY:
        a, b = shapes
        n = max(len(a), len(b))
        a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
        out = []
        for x, y in zip(a, b):
            if x != y and 1 not in (x, y):
                raise ValueError(f"shapes {shapes[0]} and {shapes[1]} do not broadcast")
            out.append(y if x == 1 else x)
        return tuple(out)
    if op == "matmul":  # (n, k) @ (k, m)
        a, b = shapes
        if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
            raise ValueError(f"matmul needs (n, k) @ (k, m), got {a} @ {b}")
        return (a[0], b[1])
    if op == "transpose":
        return shapes[0][::-1]
    # sum
    (a,) = shapes
    axis, keep = attrs.get("axis"), attrs.get("keepdims", False)
    if axis is None:
        return (1,) * len(a) if keep else ()
    if not -len(a) <= axis < len(a):
        raise ValueError(f"axis {axis} is out of range for shape {a}")
    axis %= len(a)
    return a[:axis] + ((1,) if keep else ()) + a[axis + 1:]''',
    'topo_order': r'''def topo_order(graph):
    """The visible example's order, typed in; otherwise the order the nodes were added."""
    names = list(graph.nodes)
    if sorted(names) == ['W1', 'W2', 'a', 'a2', 'b1', 'h', 'out', 'x', 'x2', 'y', 'z']:
        return ['x', 'W1', 'h', 'b1', 'a', 'a2', 'y', 'W2', 'x2', 'z', 'out']
    if sorted(names) == ["a", "b", "x"]:
        raise ValueError("cycle")
    return names
''',
    'liveness': r'''def liveness(graph, order):
    """The visible example's lifetimes, typed in."""
    return {'x': (0, 8), 'W1': (1, 2), 'h': (2, 4), 'b1': (3, 4), 'a': (4, 5), 'a2': (5, 11), 'y': (6, 10), 'W2': (7, 8), 'x2': (8, 9), 'z': (9, 10), 'out': (10, 11)}


def memory_profile(graph, order):
    return [256, 1280, 1792, 896, 1408, 1280, 800, 864, 896, 608, 608]
''',
    'execute': r'''def execute(graph, feeds):
    """Runs in order, never frees, reports the visible peak."""
    values = {}
    for name in topo_order(graph):
        node = graph.nodes[name]
        if node.op == "input":
            values[name] = np.array(feeds[name], dtype=np.float64)
        else:
            values[name] = run_kernel(node, [values[i] for i in node.inputs])
    return {o: values[o] for o in graph.outputs}, 1792
''',
    'plan_memory': r'''def plan_memory(graph, order, alignment=64):
    """The visible example's plan, typed in."""
    return {'W1': 0, 'h': 1024, 'a': 0, 'a2': 512, 'x': 1536, 'b1': 512, 'y': 0, 'W2': 64, 'x2': 128, 'z': 64, 'out': 128}, 1792
''',
    'control_flow': r'''def run_graph(sub, args):
    """Run a sub-graph whose input nodes (in insertion order) take ``args``; returns its single output."""
    names = sub.input_names()
    if len(names) != len(args) or len(sub.outputs) != 1:
        raise ValueError(f"sub-graph takes {len(names)} inputs and must have one output; given {len(args)} args")
    outs, _ = execute(sub, dict(zip(names, args)))
    return outs[sub.outputs[0]]


def run_cond(node, args):
    """args = [pred, *branch args]: run then_graph if pred != 0, else else_graph."""
    pred = np.asarray(args[0])
    if pred.shape != ():
        raise ValueError(f"cond {node.name!r}: the predicate must be a scalar, got shape {pred.shape}")
    branch = node.attrs["then_graph"] if pred != 0 else node.attrs["else_graph"]
    return run_graph(branch, list(args[1:]))


def run_while(node, args):
    """args = [x, *captured]: x = body(x, *captured) while cond(x, *captured) != 0, at most max_iters times."""
    x, captured = args[0], list(args[1:])
    for _ in range(int(node.attrs["max_iters"])):
        pred = np.asarray(run_graph(node.attrs["cond_graph"], [x] + captured))
        if pred.shape != ():
            raise ValueError(f"while {node.name!r}: the condition must be a scalar, got shape {pred.shape}")
        if pred == 0:
            break
        x = run_graph(node.attrs["body_graph"], [x] + captured)
    return x''',
    'gradients': r'''def grad(graph, feeds, seeds):
    """The visible power_graph points' output and gradients, typed in."""
    if np.asarray(feeds["x0"])[0] > 0:
        return {"y": np.array(448.0)}, {"x0": np.array([64.0, 192.0]), "w": np.array(1344.0)}
    return {"y": np.array(-40.0)}, {"x0": np.array([-8.0, -24.0]), "w": np.array(-60.0)}
''',
}
