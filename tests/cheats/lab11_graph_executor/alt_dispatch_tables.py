"""A second correct lab11_graph_executor submission, in another style; it must get full marks.

- infer_shape: a table of rule functions, broadcasting by left-padding both shapes with ones;
- topo_order: Kahn's algorithm keyed by insertion position in a heap of (position, name) pairs, with in-degrees
  counted from a collections.Counter;
- liveness/memory_profile: a dict comprehension and a per-step set of live tensors;
- execute: pops a step's dead inputs *before* running the kernel (the argument list keeps them alive while it
  runs) and computes the peak as the bytes held before plus the new output;
- plan_memory: greedy by size that also records, for the caller, how well each plan uses its arena -- a ratio
  computed with NumPy scalars that warns ("invalid value encountered in scalar divide") on the empty graph: a
  harmless RuntimeWarning the grader must not count against the test;
- control flow: run_while counts iterations with a for/else, run_cond selects with a conditional expression;
- gradients: a dynamic tape (Wengert list) of every data node evaluated, with a fresh key per evaluation, walked
  backwards -- eager PyTorch's design, where cond and while leave only the path taken on the tape.
"""
KIND = "alternative: rule tables, pop-before-run executor, a planner that warns"
BASE = "reference"
EXPECT = "full"

CELLS = {
    "infer_shape": r'''def _same(shapes, attrs):
    return shapes[0]


def _broadcast(shapes, attrs):
    a, b = shapes
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError(f"{shapes[0]} and {shapes[1]} do not broadcast")
    return tuple(max(x, y) if 1 in (x, y) else x for x, y in zip(a, b))


def _matmul(shapes, attrs):
    a, b = shapes
    if not (len(a) == len(b) == 2 and a[1] == b[0]):
        raise ValueError(f"matmul: {a} @ {b}")
    return a[0], b[1]


def _sum(shapes, attrs):
    (a,) = shapes
    axis = attrs.get("axis")
    keep = attrs.get("keepdims", False)
    if axis is None:
        return tuple(1 for _ in a) if keep else ()
    if axis < -len(a) or axis >= len(a):
        raise ValueError(f"sum over axis {axis} of {a}")
    axis = axis + len(a) if axis < 0 else axis
    return a[:axis] + (1,) * keep + a[axis + 1:]


RULES = {"input": (0, lambda s, attrs: tuple(int(d) for d in attrs["shape"])),
         "const": (0, lambda s, attrs: tuple(np.shape(attrs["value"]))),
         "matmul": (2, _matmul), "sum": (1, _sum), "transpose": (1, lambda s, attrs: s[0][::-1])}
RULES.update({op: (1, _same) for op in UNARY})
RULES.update({op: (2, _broadcast) for op in BINARY})


def infer_shape(op, input_shapes, attrs):
    """Output shape (a tuple of ints) of ``op`` applied to tensors of ``input_shapes``."""
    if op not in RULES:
        raise ValueError(f"no shape rule for {op!r}")
    arity, rule = RULES[op]
    shapes = [tuple(s) for s in input_shapes]
    if len(shapes) != arity:
        raise ValueError(f"{op} expects {arity} inputs, got {len(shapes)}")
    return tuple(rule(shapes, attrs))
''',
    "topo_order": r'''from collections import Counter


def topo_order(graph):
    index = {n: k for k, n in enumerate(graph.nodes)}
    indegree = Counter({n: 0 for n in index})
    users = {n: [] for n in index}
    for n, node in graph.nodes.items():
        for i in node.inputs:
            if i not in index:
                raise ValueError(f"{n} reads {i}, which no node produces")
            indegree[n] += 1
            users[i].append(n)
    heap = [(k, n) for n, k in index.items() if indegree[n] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, n = heapq.heappop(heap)
        order.append(n)
        for u in users[n]:
            indegree[u] -= 1
            if not indegree[u]:
                heapq.heappush(heap, (index[u], u))
    if len(order) != len(index):
        raise ValueError(f"cyclic graph: stuck at {sorted(n for n in index if indegree[n] > 0)}")
    return order
''',
    "liveness": r'''def liveness(graph, order):
    at = {n: k for k, n in enumerate(order)}
    end = len(order)
    return {n: (at[n], end if n in graph.outputs else
                max([at[m] for m in order if n in graph.nodes[m].inputs], default=at[n])) for n in order}


def memory_profile(graph, order):
    live = liveness(graph, order)
    return [sum(tensor_bytes(graph.nodes[n].shape) for n, (a, b) in live.items() if a <= k <= b)
            for k in range(len(order))]
''',
    "execute": r'''def execute(graph, feeds):
    names = graph.input_names()
    if sorted(feeds) != sorted(names):
        raise ValueError(f"feeds {sorted(feeds)} do not match the graph inputs {sorted(names)}")
    for n in names:
        if np.shape(feeds[n]) != tuple(graph.nodes[n].attrs["shape"]):
            raise ValueError(f"feed {n!r} must have shape {graph.nodes[n].attrs['shape']}")
    order = topo_order(graph)
    live = liveness(graph, order)
    values, held, peak = {}, 0, 0
    for k, name in enumerate(order):
        node = graph.nodes[name]
        args = [values[i] for i in node.inputs]
        dying = {i for i in node.inputs if live[i][1] == k}
        dying_bytes = sum(values[i].nbytes for i in dying)
        for i in dying:                           # last read: drop it now, the argument list keeps it alive
            del values[i]
        held -= dying_bytes
        out = np.array(feeds[name], dtype=np.float64) if node.op == "input" else run_kernel(node, args)
        peak = max(peak, held + dying_bytes + out.nbytes)
        del args
        if live[name][1] > k:                     # a tensor nobody reads dies where it is born
            values[name] = out
            held += out.nbytes
    return {o: values[o] for o in graph.outputs}, peak
''',
    "plan_memory": r'''PLAN_USE = []          # arena use of every plan made: lower bound / arena


def plan_memory(graph, order, alignment=64):
    if not isinstance(alignment, (int, np.integer)) or alignment <= 0:
        raise ValueError(f"alignment must be a positive integer, got {alignment!r}")
    if any(graph.nodes[n].shape is None for n in order):
        raise ValueError("a node has no shape: run infer_shapes(graph) first")
    live = liveness(graph, order)
    added = list(graph.nodes).index
    size = {n: -(-tensor_bytes(graph.nodes[n].shape) // alignment) * alignment for n in order}
    offsets, placed = {}, []
    for n in sorted(order, key=lambda t: (-size[t], live[t][0], added(t))):
        a, b = live[n]
        spot = 0
        for lo, hi in sorted((offsets[m], offsets[m] + size[m]) for m in placed if live[m][0] <= b and a <= live[m][1]):
            if spot + size[n] <= lo:
                break
            spot = max(spot, hi)
        offsets[n] = spot
        placed.append(n)
    arena = max((offsets[n] + size[n] for n in order), default=0)
    lower = max((sum(size[n] for n in order if live[n][0] <= k <= live[n][1]) for k in range(len(order))), default=0)
    PLAN_USE.append(np.float64(lower) / np.float64(arena))     # 0/0 on an empty graph: nan, and a RuntimeWarning
    return offsets, arena
''',
    "control_flow": r'''def run_graph(sub, args):
    names = sub.input_names()
    if len(names) != len(args) or len(sub.outputs) != 1:
        raise ValueError(f"sub-graph takes {len(names)} inputs and must have one output; given {len(args)} args")
    outs, _ = execute(sub, dict(zip(names, args)))
    return outs[sub.outputs[0]]


def run_cond(node, args):
    pred = np.asarray(args[0])
    if pred.shape != ():
        raise ValueError(f"cond {node.name!r}: predicate shape {pred.shape}")
    return run_graph(node.attrs["then_graph"] if pred.item() != 0 else node.attrs["else_graph"], list(args[1:]))


def run_while(node, args):
    x, rest = args[0], list(args[1:])
    for _ in range(int(node.attrs["max_iters"])):
        go = np.asarray(run_graph(node.attrs["cond_graph"], [x, *rest]))
        if go.shape != ():
            raise ValueError(f"while {node.name!r}: condition shape {go.shape}")
        if go.item() == 0:
            break
        x = run_graph(node.attrs["body_graph"], [x, *rest])
    return x
''',
    "gradients": r'''import itertools


def grad(graph, feeds, seeds):
    """A dynamic tape (a Wengert list), the way eager PyTorch records a program: the forward run appends one entry
    per data node it evaluates -- sub-graph nodes included, once per iteration, only the branch that ran -- and the
    backward walks that list from its end. Every evaluation gets a fresh key, so iterations never mix."""
    inputs = graph.input_names()
    if set(feeds) != set(inputs):
        raise ValueError(f"feeds must name exactly the inputs {inputs}")
    value = {("feed", n): np.array(feeds[n], dtype=np.float64) for n in inputs}
    tape, keys = [], itertools.count()

    def run(g, bound):
        where = dict(bound)                       # tensor name in g -> key of its value in this evaluation
        for name in topo_order(g):
            node = g.nodes[name]
            if node.op == "input":
                continue
            ins = [where[i] for i in node.inputs]
            if node.op == "cond":
                branch = node.attrs["then_graph"] if value[ins[0]].item() != 0 else node.attrs["else_graph"]
                where[name] = run(branch, dict(zip(branch.input_names(), ins[1:])))[branch.outputs[0]]
            elif node.op == "while":
                body, x = node.attrs["body_graph"], ins[0]
                for _ in range(int(node.attrs["max_iters"])):
                    go = run_graph(node.attrs["cond_graph"], [value[k] for k in [x] + ins[1:]])
                    if np.asarray(go).item() == 0:
                        break
                    x = run(body, dict(zip(body.input_names(), [x] + ins[1:])))[body.outputs[0]]
                where[name] = x
            else:
                key = next(keys)
                value[key] = run_kernel(node, [value[k] for k in ins])
                tape.append((node, ins, key))
                where[name] = key
        return where

    where = run(graph, {n: ("feed", n) for n in inputs})
    adjoint = {}
    for o, s in seeds.items():
        k = where[o]
        adjoint[k] = adjoint.get(k, 0.0) + np.broadcast_to(np.asarray(s, dtype=np.float64), value[k].shape)
    for node, ins, key in reversed(tape):
        if key not in adjoint or node.op == "const":
            continue
        for k, g in zip(ins, run_vjp(node, [value[k] for k in ins], value[key], adjoint[key])):
            adjoint[k] = adjoint[k] + g if k in adjoint else g
    grads = {n: np.array(adjoint.get(("feed", n), np.zeros(value[("feed", n)].shape)), dtype=np.float64) for n in inputs}
    return {o: value[where[o]] for o in graph.outputs}, grads
''',
}
