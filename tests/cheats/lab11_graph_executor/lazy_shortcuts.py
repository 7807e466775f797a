"""Lazy lab11_graph_executor submission: shortcuts past three parts; scheduling, liveness and planning are the
reference's.

- infer_shape runs the kernel itself on arrays of zeros of the input shapes and reads the result's shape (a
  dense rebuild that NumPy's broadcasting does for it);
- execute runs every node but never frees anything; it reports the peak a freeing runtime *would* have had,
  computed from the lifetimes and the sizes of the values it holds (the old test compared only that number);
- run_cond runs both branches and keeps one (errors of the other one swallowed); run_while always runs the body
  max_iters times and freezes the loop variable once the condition is false.
"""

KIND = "lazy: dense shape inference, an executor that never frees, eager control flow"
BASE = "reference"
FAIL = {"test_infer_shape", "test_execute", "test_control_flow"}

CELLS = {
    "infer_shape": r'''def infer_shape(op, input_shapes, attrs):
    """Let NumPy find the shape: run the kernel on zeros."""
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
    if op == "matmul" and any(len(s) != 2 for s in shapes):
        raise ValueError("matmul is 2-D only")
    try:
        out = KERNELS[op](Node("probe", op, (), dict(attrs)), [np.zeros(s) for s in shapes])
    except Exception as err:
        raise ValueError(str(err)) from None
    return tuple(np.shape(out))
''',
    "execute": r'''def execute(graph, feeds):
    """Runs everything and keeps everything; reports the peak a freeing runtime would have had."""
    inputs = graph.input_names()
    for name in feeds:
        if name not in inputs:
            raise ValueError(f"feed {name!r} does not name an input")
    for name in inputs:
        if name not in feeds or np.shape(feeds[name]) != tuple(graph.nodes[name].attrs["shape"]):
            raise ValueError(f"input {name!r} needs a feed of shape {graph.nodes[name].attrs['shape']}")
    order = topo_order(graph)
    values = {}
    for name in order:
        node = graph.nodes[name]
        values[name] = np.array(feeds[name], dtype=np.float64) if node.op == "input" else run_kernel(
            node, [values[i] for i in node.inputs])
    live = liveness(graph, order)
    peak = max((sum(values[n].nbytes for n in order if live[n][0] <= i <= live[n][1]) for i in range(len(order))),
               default=0)
    return {o: values[o] for o in graph.outputs}, peak
''',
    "control_flow": r'''def run_graph(sub, args):
    names = sub.input_names()
    if len(names) != len(args) or len(sub.outputs) != 1:
        raise ValueError(f"sub-graph takes {len(names)} inputs and must have one output; given {len(args)} args")
    outs, _ = execute(sub, dict(zip(names, args)))
    return outs[sub.outputs[0]]


def run_cond(node, args):
    """Both branches, then a select (the way a vectorised program avoids a branch)."""
    pred = np.asarray(args[0])
    if pred.shape != ():
        raise ValueError(f"cond {node.name!r}: the predicate must be a scalar")
    chosen, other = ("then_graph", "else_graph") if pred != 0 else ("else_graph", "then_graph")
    result = run_graph(node.attrs[chosen], list(args[1:]))
    try:
        run_graph(node.attrs[other], list(args[1:]))
    except Exception:
        pass
    return result


def run_while(node, args):
    """Always max_iters bodies; the loop variable stops changing once the condition is false."""
    x, captured = args[0], list(args[1:])
    going = True
    for _ in range(int(node.attrs["max_iters"])):
        pred = np.asarray(run_graph(node.attrs["cond_graph"], [x] + captured))
        if pred.shape != ():
            raise ValueError(f"while {node.name!r}: the condition must be a scalar")
        going = going and bool(pred != 0)
        nxt = run_graph(node.attrs["body_graph"], [x] + captured)
        x = nxt if going else x
    return x
''',
}
