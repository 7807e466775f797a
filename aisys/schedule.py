"""A small schedule language: one loop-nest *compute*, many *schedules*, each turned into numba code.

Halide and TVM separate what a kernel computes from how its loops run. This module does the same for one
statement over a loop nest, with four primitives, and prints the Python source it generates so that nothing
is hidden::

    from aisys import schedule
    s = schedule.matmul()                  # C[i, j] += A[i, k] * B[k, j] over loops i, j, k
    s.split("i", 32).split("k", "tk")      # tiles: a constant, or a run-time parameter named tk
    s.reorder("io", "ko", "i", "k", "j")   # loop order (outer to inner)
    s.vectorize("j")                       # innermost loop over unit-stride rows, so LLVM emits SIMD
    s.parallel("io")                       # tiles of i on several cores (numba prange)
    print(s)                               # the generated source
    kernel = s.compile()                   # numba function kernel(A, B, C, tk)

``split(axis, factor)`` cuts the innermost loop of ``axis`` into a loop over tile starts (named
``axis + "o"`` unless ``outer=`` says otherwise) and the loop inside one tile, which keeps the axis's
name; every tile is clipped with ``min`` so any size is covered exactly once. ``reorder`` permutes the
loops it names in the positions they hold (the others stay put). ``vectorize`` makes the innermost loop run
over row slices indexed from 0 (unit stride, no negative-index wraparound), which is what LLVM's loop
vectoriser needs, and hoists the loads that do not depend on it. ``parallel`` turns a loop into numba's
``prange``.

**What is legal.** The compute is one statement ``out[...] = expr`` or ``out[...] += expr`` where ``expr``
does not read ``out``. Its only dependences join instances that update the same output element, which differ
only in the *reduction* axes (the axes that do not index ``out``). So every reorder and every split is legal
and keeps, for each output element, the order in which its terms are added (exactly the same bits) as long
as the reduction loops stay in their original relative order (``reassociates`` says whether they do).
Running a reduction axis in parallel would be a race, and vectorising one would reassociate the sum: both
are refused with a ``ValueError``, as are unknown loops and misplaced primitives.
"""
from __future__ import annotations

import ast
import copy
import keyword
import re

__all__ = ["Compute", "Schedule", "matmul", "cpu_seconds"]


def _identifier(name, what):
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{what} must be a Python identifier, got {name!r}")
    return name


class Compute:
    """One statement over a loop nest.

    ``arrays``: argument names of the kernel, in order (inputs and the output);
    ``extents``: ``{name: expression}`` for each loop extent, e.g. ``{"n": "A.shape[0]"}``;
    ``axes``: ``{axis: extent name}`` in the original loop order (outer to inner);
    ``body``: ``"C[i, j] += A[i, k] * B[k, j]"`` (``=`` or ``+=``; the output is the subscript on the left).
    """

    def __init__(self, name, arrays, extents, axes, body):
        self.name = _identifier(name, "the compute's name")
        self.arrays = tuple(_identifier(a, "an array name") for a in arrays)
        if len(set(self.arrays)) != len(self.arrays) or not self.arrays:
            raise ValueError(f"arrays must be distinct names, got {arrays!r}")
        if not isinstance(extents, dict) or not isinstance(axes, dict) or not axes:
            raise ValueError("extents and axes must be non-empty dicts")
        self.extents = {_identifier(k, "an extent name"): str(v) for k, v in extents.items()}
        self.axes = {}
        for axis, extent in axes.items():
            _identifier(axis, "an axis name")
            if extent not in self.extents:
                raise ValueError(f"axis {axis!r} has extent {extent!r}, which is not one of {sorted(self.extents)}")
            self.axes[axis] = extent
        try:
            tree = ast.parse(body.strip(), mode="exec")
        except (SyntaxError, AttributeError) as err:
            raise ValueError(f"body must be one Python statement, got {body!r}") from err
        if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.Assign, ast.AugAssign)):
            raise ValueError(f"body must be one assignment 'out[...] = ...' or 'out[...] += ...', got {body!r}")
        statement = tree.body[0]
        if isinstance(statement, ast.AugAssign) and not isinstance(statement.op, ast.Add):
            raise ValueError("the only update allowed is +=")
        target = statement.target if isinstance(statement, ast.AugAssign) else statement.targets[0]
        if isinstance(statement, ast.Assign) and len(statement.targets) != 1:
            raise ValueError("body must assign one target")
        if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)):
            raise ValueError(f"the left side must be an array element such as C[i, j], got {ast.unparse(target)}")
        self.output = target.value.id
        if self.output not in self.arrays:
            raise ValueError(f"the output {self.output!r} is not one of the arrays {self.arrays}")
        self.update = isinstance(statement, ast.AugAssign)
        self.body = ast.unparse(statement)
        self._statement = statement
        out_index = {n.id for n in ast.walk(target.slice) if isinstance(n, ast.Name)}
        used = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}
        if self.output in {n.value.id for n in ast.walk(statement.value)
                           if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)}:
            raise ValueError(f"the right side may not read the output {self.output!r}")
        missing = set(self.axes) - used
        if missing:
            raise ValueError(f"axes {sorted(missing)} do not appear in the body")
        self.reduction_axes = tuple(a for a in self.axes if a not in out_index)
        if self.reduction_axes and not self.update:
            raise ValueError(f"axes {self.reduction_axes} do not index the output: a reduction needs '+='")

    def schedule(self) -> "Schedule":
        """The default schedule: the axes as loops in their original order."""
        return Schedule(self)

    def __repr__(self):
        return f"Compute({self.name}: {self.body} over {', '.join(self.axes)})"


class Schedule:
    """A loop order and loop transformations for a :class:`Compute`; methods return ``self`` for chaining."""

    def __init__(self, compute: Compute):
        if not isinstance(compute, Compute):
            raise ValueError(f"expected a Compute, got {type(compute).__name__}")
        self.compute = compute
        self._order = list(compute.axes)                     # loop names, outer to inner
        self._axis = {a: a for a in compute.axes}             # loop name -> axis
        self._step = {a: 1 for a in compute.axes}             # loop name -> step (int or parameter name)
        self._chain = {a: [a] for a in compute.axes}          # axis -> its loops, outer to inner
        self._vector = None
        self._parallel = []
        self.params = []                                       # run-time tile sizes, in kernel-argument order

    # ------------------------------------------------------------------------------------------ primitives
    def split(self, axis, factor, outer=None):
        """Tile the innermost loop of ``axis`` by ``factor`` (a positive int, or a name for a run-time
        parameter): a new loop over tile starts (``outer``, default ``axis + "o"``) takes its place, and
        the loop inside one tile, still called ``axis``, follows it."""
        if axis not in self.compute.axes:
            raise ValueError(f"unknown axis {axis!r}; the axes are {list(self.compute.axes)}")
        if isinstance(factor, bool) or not isinstance(factor, (int, str)):
            raise ValueError(f"factor must be a positive int or a parameter name, got {factor!r}")
        if isinstance(factor, int) and factor < 1:
            raise ValueError(f"factor must be >= 1, got {factor}")
        if isinstance(factor, str):
            _identifier(factor, "a run-time factor")
            if factor in self.params or factor in self._names():
                raise ValueError(f"parameter name {factor!r} is already in use")
        outer = outer or axis + "o"
        _identifier(outer, "the outer loop's name")
        if outer in self._names() or outer in self.params:
            raise ValueError(f"a loop or name {outer!r} already exists; pass outer=... to choose another")
        position = self._order.index(axis)
        self._order.insert(position, outer)
        self._axis[outer] = axis
        self._step[outer] = factor
        self._chain[axis].insert(len(self._chain[axis]) - 1, outer)
        if isinstance(factor, str):
            self.params.append(factor)
        return self

    def reorder(self, *loops):
        """Put the named loops, in this order, into the positions they occupy now."""
        unknown = [l for l in loops if l not in self._order]
        if unknown:
            raise ValueError(f"unknown loops {unknown}; the loops are {self._order}")
        if len(set(loops)) != len(loops):
            raise ValueError(f"reorder got a loop twice: {loops}")
        positions = sorted(self._order.index(l) for l in loops)
        order = list(self._order)
        for pos, loop in zip(positions, loops):
            order[pos] = loop
        for axis, chain in self._chain.items():
            where = [order.index(l) for l in chain]
            if where != sorted(where):
                raise ValueError(f"loops of axis {axis!r} must stay nested outer to inner as {chain}: "
                                 f"a tile loop must enclose the loop inside its tile")
        self._order = order
        return self

    def vectorize(self, loop):
        """Run ``loop`` (the innermost loop, over a non-reduction axis indexed last) on row slices."""
        if loop not in self._order:
            raise ValueError(f"unknown loop {loop!r}; the loops are {self._order}")
        if self._axis[loop] != loop:
            raise ValueError(f"vectorize the loop inside the tiles ({self._axis[loop]!r}), not the tile loop {loop!r}")
        if loop in self.compute.reduction_axes:
            raise ValueError(f"{loop!r} is a reduction axis: running it in SIMD lanes reassociates the sum "
                             f"(that needs fastmath, not a schedule)")
        for node in ast.walk(self.compute._statement):
            if isinstance(node, ast.Subscript):
                index = self._index_list(node)
                names = [isinstance(i, ast.Name) and i.id for i in index]
                uses = [any(isinstance(n, ast.Name) and n.id == loop for n in ast.walk(i)) for i in index]
                if any(uses) and (not uses[-1] or any(uses[:-1]) or names[-1] != loop):
                    raise ValueError(f"vectorize({loop!r}) needs unit stride: {loop} must be the last index of every "
                                     f"access that uses it, got {ast.unparse(node)}")
        self._vector = loop
        return self

    def parallel(self, loop):
        """Run the iterations of ``loop`` on several cores (numba ``prange``)."""
        if loop not in self._order:
            raise ValueError(f"unknown loop {loop!r}; the loops are {self._order}")
        if self._axis[loop] in self.compute.reduction_axes:
            raise ValueError(f"{loop!r} runs over the reduction axis {self._axis[loop]!r}: iterations would "
                             f"update the same output elements at the same time (a race)")
        if loop == self._vector:
            raise ValueError(f"{loop!r} is vectorised; parallelise an outer loop")
        if loop not in self._parallel:
            self._parallel.append(loop)
        return self

    def copy(self) -> "Schedule":
        return copy.deepcopy(self)

    # ------------------------------------------------------------------------------------------ queries
    @property
    def loops(self) -> list:
        """Loop names, outer to inner."""
        return list(self._order)

    @property
    def reassociates(self) -> bool:
        """True if the reduction loops no longer run in the original relative order (results change bits)."""
        red = [self._axis[l] for l in self._order if self._axis[l] in self.compute.reduction_axes]
        seen = []
        for axis in red:
            if axis not in seen:
                seen.append(axis)
        original = [a for a in self.compute.axes if a in self.compute.reduction_axes]
        if seen != original:
            return True
        # a reduction axis whose tiles interleave with another reduction axis's loops also reorders terms
        for axis in original:
            chain_positions = [self._order.index(l) for l in self._chain[axis]]
            between = [self._axis[l] for l in self._order[chain_positions[0]:chain_positions[-1] + 1]]
            if any(a in self.compute.reduction_axes and a != axis for a in between):
                return True
        return False

    def _names(self):
        return set(self._order) | set(self.compute.extents) | set(self.compute.arrays)

    @staticmethod
    def _index_list(node):
        s = node.slice
        return list(s.elts) if isinstance(s, ast.Tuple) else [s]

    # ------------------------------------------------------------------------------------------ code generation
    def source(self, name=None) -> str:
        """Python source of the kernel ``name(*arrays, *params)`` (numba compiles it)."""
        c = self.compute
        name = _identifier(name or c.name, "the kernel name")
        if self._vector is not None and self._order[-1] != self._vector:
            raise ValueError(f"vectorize({self._vector!r}) needs it innermost; the loops are {self._order}")
        lines = [f"def {name}({', '.join(list(c.arrays) + self.params)}):"]
        lines += [f"    {k} = {v}" for k, v in c.extents.items()]
        if c.update:
            lines.append(f"    {c.output}[:] = 0")
        indent = 1
        for loop in self._order:
            axis = self._axis[loop]
            chain = self._chain[axis]
            pos = chain.index(loop)
            start = "0" if pos == 0 else chain[pos - 1]
            stop = c.axes[axis] if pos == 0 else f"{chain[pos - 1]}_end"
            step = self._step[loop]
            pad = "    " * indent
            if loop == self._vector:
                lines += self._vector_body(pad, start, stop)
                break
            span = stop if start == "0" else f"{stop} - {start}"
            if loop in self._parallel:
                count = span if step == 1 else f"({span} + {step} - 1) // {step}"
                offset = f"{loop}_t" if step == 1 else f"{loop}_t * {step}"
                lines.append(f"{pad}for {loop}_t in prange({count}):")
                lines.append(f"{pad}    {loop} = {offset if start == '0' else f'{start} + {offset}'}")
            else:
                bounds = ([] if start == "0" and step == 1 else [start]) + [stop] + ([] if step == 1 else [str(step)])
                lines.append(f"{pad}for {loop} in range({', '.join(bounds)}):")
            if step != 1:
                lines.append(f"{pad}    {loop}_end = min({loop} + {step}, {stop})")
            indent += 1
        else:
            lines.append("    " * indent + c.body)
        return "\n".join(lines) + "\n"

    def _vector_body(self, pad, start, stop):
        c, v = self.compute, self._vector
        lane = f"{v}v"
        statement = copy.deepcopy(c._statement)
        hoisted, rows = [], {}

        class Rewrite(ast.NodeTransformer):
            def visit_Subscript(inner, node):
                text = ast.unparse(node)
                index = Schedule._index_list(node)
                uses = any(isinstance(n, ast.Name) and n.id == v for n in ast.walk(node.slice))
                array = node.value.id
                if uses:
                    if text not in rows:
                        rest = [ast.unparse(i) for i in index[:-1]]
                        taken = sum(r.startswith(f"{array}_row") for r in rows.values())
                        rows[text] = f"{array}_row" + (str(taken) if taken else "")
                        cut = ":" if start == "0" and stop == c.axes[v] else f"{start}:{stop}"
                        hoisted.append(f"{rows[text]} = {array}[{', '.join(rest + [cut])}]")
                    return ast.Subscript(value=ast.Name(rows[text], ast.Load()), slice=ast.Name(lane, ast.Load()),
                                         ctx=node.ctx)
                if array == c.output:
                    return node
                scalar = re.sub(r"\W+", "_", text).strip("_")
                if scalar not in {h.split(" = ")[0] for h in hoisted}:
                    hoisted.append(f"{scalar} = {text}")
                return ast.Name(scalar, ast.Load())

            def visit_Name(inner, node):
                if node.id == v:
                    return ast.BinOp(left=ast.Name(start, ast.Load()), op=ast.Add(), right=ast.Name(lane, ast.Load()))
                return node

        statement = Rewrite().visit(statement)
        out = [pad + h for h in hoisted]
        out.append(f"{pad}for {lane} in range({stop if start == '0' else f'{stop} - {start}'}):")
        out.append(f"{pad}    {ast.unparse(ast.fix_missing_locations(statement))}")
        return out

    def __str__(self):
        return self.source()

    def __repr__(self):
        extras = ([f"vectorize {self._vector}"] if self._vector else []) + [f"parallel {p}" for p in self._parallel]
        return f"Schedule({self.compute.name}: loops {' > '.join(self._order)}" + \
               (f"; {', '.join(extras)}" if extras else "") + (f"; params {self.params}" if self.params else "") + ")"

    def compile(self, fastmath=False, name=None):
        """Compile the generated source with numba (``parallel=True`` if a loop is parallel); returns the
        numba dispatcher, called as ``kernel(*arrays, *params)``."""
        import numpy as np
        from numba import njit, prange

        namespace = {"np": np, "prange": prange}
        exec(compile(self.source(name), f"<schedule {self.compute.name}>", "exec"), namespace)
        fn = namespace[name or self.compute.name]
        fn.__schedule_source__ = self.source(name)
        return njit(fastmath=fastmath, parallel=bool(self._parallel))(fn)


def matmul() -> Schedule:
    """The default schedule of ``C[i, j] += A[i, k] * B[k, j]`` (loops i, j, k): kernel(A, B, C)."""
    return Compute("matmul", ("A", "B", "C"), {"n": "A.shape[0]", "m": "B.shape[1]", "K": "A.shape[1]"},
                   {"i": "n", "j": "m", "k": "K"}, "C[i, j] += A[i, k] * B[k, j]").schedule()


def cpu_seconds(fn, *args, repeat=3, warmup=1):
    """Best thread CPU time of ``fn(*args)`` over ``repeat`` calls, after ``warmup`` untimed calls.

    On a shared machine wall-clock time also counts the time a process waits for a core; the CPU time of the
    calling thread counts only the time it ran, so single-threaded kernels compare fairly even when other
    work competes. Not for multi-threaded code (other threads' work is not counted): time that with
    ``aisys.bench``."""
    import time

    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__}")
    for name, value, low in (("repeat", repeat, 1), ("warmup", warmup, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    for _ in range(warmup):
        fn(*args)
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        fn(*args)
        best = min(best, time.thread_time() - start)
    return max(best, 1e-9)
