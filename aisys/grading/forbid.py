"""Switch library routines off while a test calls the student's code, and read code for forbidden names.

A part that asks for im2col must not be passed by ``F.unfold``; a part that asks for a Winograd convolution
must not be passed by ``F.conv2d``. Patching ``F.unfold`` in the test is not enough: a student can bind it
earlier (``_unfold = F.unfold``) or call an alias (``torch._C._nn.im2col``, ``torch.ops.aten.im2col``). So
:func:`forbidden` switches routines off where every alias meets::

    from aisys.grading.forbid import forbidden, check_source
    with forbidden("aten::im2col", "aten::convolution", np.correlate, scipy.signal.correlate,
                   because="Part 1 asks you to build the patch matrix yourself"):
        cols = im2col(x, 3, 3)

- ``"aten::name"`` (or ``torch.ops.aten.name``): refused at PyTorch's dispatcher, which every Python alias of
  the operator reaches (a ``TorchDispatchMode``). An operator that is CompositeImplicitAutograd (``aten::kl_div``,
  ``aten::matmul``, ``aten::conv2d``) is decomposed into other operators *before* a dispatch mode could see it, so
  for those the call itself is refused one level up (a ``TorchFunctionMode``): ``torch.ops.aten.name`` and each of
  its overloads (``.default``, and what stands behind them), every PyTorch binding of that name (``torch.name``,
  ``torch.Tensor.name``, the ``torch._C`` namespaces) and the Python function of that name in
  ``torch.nn.functional`` or ``torch.functional``;
- a Python function (NumPy's and SciPy's Python-level routines included): its code object is swapped for one
  that raises, so the function object itself refuses, under any name it was bound to;
- a built-in (C) function or method (``struct.unpack``, ``np.ndarray.view``): noticed when Python code calls it
  (a profile hook that compares the callee by identity), and the block fails when it ends;
- a NumPy ufunc (``np.logaddexp``): its methods -- ``reduce``, ``accumulate``, ``reduceat``, ``outer``, ``at``
  (``np.logaddexp.reduce(x)`` is a log-sum-exp) -- are noticed by the same profile hook, compared by the identity
  of the ufunc they belong to, whatever name it was reached by. A *direct* call of a ufunc object
  (``np.logaddexp(a, b)``) is not a call Python's profile hook reports, and neither is a method called from C
  code (``map(np.logaddexp.reduce, rows)``, a ``functools.partial`` of it). The modules that bind the ufunc under
  its name (``np.logaddexp``) hold a refusing stub during the block, so a name looked up at run time
  (``getattr(np, "logadd" + "exp")``) is refused too; but a reference taken before the block is the ufunc itself,
  so a part that refuses a ufunc must also read the code
  (:func:`check_source`) and follow the values it reaches (:func:`refers_to`).

Inside the block a refused call raises :class:`ForbiddenCallError` naming the routine and ``because``.

:func:`check_source` reads a function's code -- its syntax tree, not its text, so comments, docstrings and
longer names that contain a forbidden word do not count -- and the code of every function of the notebook it
calls, and fails if any of them names a forbidden attribute or refers to a forbidden object.

:func:`refers_to` follows the *values* a function can reach instead of its text: the globals its code names,
its default arguments and closure, and, through them, the notebook's functions, partials, containers, bound
methods, classes and instances. It finds a forbidden object kept where a source check cannot see it (an alias
bound at the top of a cell, ``{"lse": np.logaddexp}``, ``functools.partial(np.logaddexp.reduce, axis=1)``).
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import dis
import functools
import inspect
import linecache
import sys
import textwrap
import types


class ForbiddenCallError(RuntimeError):
    """A test switched this routine off: the part asks for the work it does."""


def _label(target) -> str:
    if isinstance(target, str):
        return target
    module = getattr(target, "__module__", None) or getattr(getattr(target, "__objclass__", None), "__module__", "")
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", repr(target))
    return f"{module}.{name}" if module else name


def _python_function(target):
    """The plain Python function behind ``target`` (NumPy dispatchers, bound methods), or None."""
    if isinstance(target, types.FunctionType):
        return target
    if isinstance(target, types.MethodType):
        return _python_function(target.__func__)
    implementation = getattr(target, "_implementation", None)   # numpy's _ArrayFunctionDispatcher
    if isinstance(implementation, types.FunctionType):
        return implementation
    return None


def _raising_code(function: types.FunctionType, message: str) -> types.CodeType:
    """A code object with ``function``'s free variables that raises ForbiddenCallError(message)."""
    free = function.__code__.co_freevars
    lines = ["def _outer():"] + [f"    {name} = None" for name in free] + [
        "    def _stub(*args, **kwargs):"] + ([f"        {', '.join(free)}"] if free else []) + [
        f"        raise __forbidden__({message!r})", "    return _stub"]
    namespace: dict = {}
    exec("\n".join(lines), namespace)   # noqa: S102 - our own fixed text
    code = namespace["_outer"]().__code__
    return code.replace(co_name=function.__code__.co_name, co_names=tuple(
        "__forbidden_error__" if n == "__forbidden__" else n for n in code.co_names))


def _torch_op_name(target) -> str | None:
    if isinstance(target, str):
        return target if "::" in target else None
    schema = getattr(target, "_schema", None)
    if schema is not None:
        return schema.name
    qualified = getattr(target, "_qualified_op_name", None)    # an OpOverloadPacket
    return qualified


@contextlib.contextmanager
def forbidden(*targets, because: str = ""):
    """Within the block, every target raises ForbiddenCallError when called, whatever name it is called by."""
    suffix = f": {because}" if because else ""
    ops, swapped, builtin_ids, methods, ufuncs = {}, [], {}, {}, {}
    for target in targets:
        op = _torch_op_name(target)
        if op is not None:
            ops[op] = op
            continue
        function = _python_function(target)
        if function is not None:
            swapped.append((function, f"{_label(target)} is switched off in this test{suffix}"))
            continue
        if isinstance(target, types.BuiltinFunctionType):
            builtin_ids[id(target)] = _label(target)
        elif isinstance(target, (types.MethodDescriptorType, types.WrapperDescriptorType)):
            methods[(target.__objclass__, target.__name__)] = _label(target)
        elif _is_ufunc(target):
            ufuncs[id(target)] = (target, _label(target))
        else:
            raise ValueError(f"cannot switch off {target!r}: pass an 'aten::op' name, a Python function, "
                             f"a built-in function, a method descriptor such as np.ndarray.view or a NumPy ufunc")
    saved, added_to = [], []
    stack = contextlib.ExitStack()
    try:
        for function, message in swapped:
            saved.append((function, function.__code__))
            if "__forbidden_error__" not in function.__globals__:
                function.__globals__["__forbidden_error__"] = ForbiddenCallError
                added_to.append(function.__globals__)
            function.__code__ = _raising_code(function, message)
        if ops:
            stack.enter_context(_TorchOpsOff(ops, suffix))
            composite = {op.split("::", 1)[1].split(".")[0]: op for op in ops if _composite_implicit(op)}
            if composite:
                stack.enter_context(_TorchCallsOff(composite, suffix))
        if builtin_ids or methods or ufuncs:
            stack.enter_context(_builtins_off(builtin_ids, methods, suffix, ufuncs))
        for ufunc, label in ufuncs.values():
            stack.enter_context(_unbound(ufunc, label, suffix))
        with stack:
            yield
    finally:
        for function, code in saved:
            function.__code__ = code
        for namespace in added_to:
            namespace.pop("__forbidden_error__", None)


@contextlib.contextmanager
def _unbound(ufunc, label: str, suffix: str):
    """Within the block, every loaded module except ``__main__`` that binds ``ufunc`` under its own name binds a stub
    instead, which raises ForbiddenCallError when called or when one of its methods is (and the block fails when it
    ends, even if that error was caught): a name looked up at run time (``getattr(np, "logadd" + "exp")``) finds the
    stub. A reference bound before the block is not reached (that is what :func:`check_source` and
    :func:`refers_to` are for)."""
    name, calls = getattr(ufunc, "__name__", None), []

    def refusing(what):
        def stub(*args, **kwargs):
            calls.append(what)
            raise ForbiddenCallError(f"{what} called, but switched off in this test{suffix}")
        stub.__name__ = stub.__qualname__ = what.rsplit(".", 1)[-1]
        return stub

    stub = refusing(label)
    for method in ("reduce", "accumulate", "reduceat", "outer", "at"):
        setattr(stub, method, refusing(f"{label}.{method}"))
    bound = []
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if module_name != "__main__" and isinstance(namespace, dict) and name and namespace.get(name) is ufunc:
            bound.append(namespace)
    try:
        for namespace in bound:
            namespace[name] = stub
        yield
    finally:
        for namespace in bound:
            namespace[name] = ufunc
    if calls:                    # the error was caught: the block still fails
        raise ForbiddenCallError(f"{', '.join(dict.fromkeys(calls))} called, but switched off in this test{suffix}")


def _TorchOpsOff(ops: dict, suffix: str):
    from torch.utils._python_dispatch import TorchDispatchMode

    class TorchOpsOff(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls):      # no torch.compile inside: skip wrapping (importing Dynamo costs seconds)
            return False

        def __torch_dispatch__(self, func, types_, args=(), kwargs=None):
            name = func._schema.name
            if name in ops:
                raise ForbiddenCallError(f"{name} is switched off in this test{suffix}")
            return func(*args, **(kwargs or {}))

    return TorchOpsOff()


_COMPOSITE: dict[str, bool] = {}


def _composite_implicit(op: str) -> bool:
    """Whether ``op`` ("aten::name") decomposes above the Python dispatch key (a dispatch mode never sees it).
    Remembered per operator once it exists (a lab that switches off every aten op enters ``forbidden`` hundreds of
    times; asking the dispatcher about ~1,600 operators each time cost seconds)."""
    known = _COMPOSITE.get(op)
    if known is not None:
        return known
    import torch
    if not op.startswith("aten::"):
        return False
    try:
        known = bool(torch._C._dispatch_has_kernel_for_dispatch_key(op, "CompositeImplicitAutograd"))
    except RuntimeError:       # no such operator (a name with overloads only): aten's operators are all
        known = False          # registered when torch is imported, so this does not change later
    _COMPOSITE[op] = known
    return known


def _TorchCallsOff(names: dict, suffix: str):
    """Refuse calls of the aten operators ``names`` ({"kl_div": "aten::kl_div"}) where Python calls them: an
    OpOverloadPacket or OpOverload of that operator (``torch.ops.aten.kl_div``, ``.default``, and the C++ object
    behind it), a built-in PyTorch binding of that name (``torch.kl_div``, ``torch.Tensor.kl_div``, the ``torch._C``
    namespaces), or PyTorch's Python function of that name in ``torch.nn.functional`` / ``torch.functional``
    (``F.kl_div``, ``torch.einsum``; the mode is set aside while such a function runs, so the binding it calls
    would not be seen)."""
    import torch
    from torch.overrides import TorchFunctionMode

    def refused(func) -> str | None:
        if isinstance(func, torch._ops.OpOverload):
            name = func._schema.name
        elif isinstance(func, torch._ops.OpOverloadPacket):
            name = func._qualified_op_name
        elif isinstance(func, (types.BuiltinFunctionType, types.MethodDescriptorType, types.WrapperDescriptorType)):
            return names.get(getattr(func, "__name__", None))
        elif isinstance(func, types.FunctionType) and func.__module__ in ("torch.nn.functional", "torch.functional"):
            return names.get(func.__name__)
        else:
            return None
        return name if name in names.values() else None

    class TorchCallsOff(TorchFunctionMode):
        def __torch_function__(self, func, types_, args=(), kwargs=None):
            name = refused(func)
            if name is not None:
                raise ForbiddenCallError(f"{name} is switched off in this test{suffix}")
            return func(*args, **(kwargs or {}))

    return TorchCallsOff()


def _is_ufunc(target) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(target, numpy.ufunc)


@contextlib.contextmanager
def _builtins_off(builtin_ids: dict, methods: dict, suffix: str, ufuncs: dict | None = None):
    """Built-in calls are seen by a profile hook. A hook that raises is switched off by Python, so it records
    the call instead and the block fails when it ends (the call's result is never graded). ``ufuncs``
    ({id: (ufunc, label)}): a call of any method bound to one of them (reduce, accumulate, reduceat, outer, at)
    is refused. A profile hook that was set before the block keeps seeing every event (blocks nest)."""
    previous = sys.getprofile()
    calls: list[str] = []
    ufuncs = ufuncs or {}

    def profile(frame, event, arg):
        if previous is not None:
            previous(frame, event, arg)
        if event == "c_call":
            label = builtin_ids.get(id(arg))
            owner = getattr(arg, "__self__", None)
            if label is None and methods:
                for (cls, name), method_label in methods.items():
                    if isinstance(owner, cls) and getattr(arg, "__name__", None) == name:
                        label = method_label
                        break
            if label is None and ufuncs:
                held = ufuncs.get(id(owner))
                if held is not None and held[0] is owner:
                    label = f"{held[1]}.{getattr(arg, '__name__', '?')}"
            if label is not None:
                calls.append(label)

    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)
    if calls:
        raise ForbiddenCallError(f"{', '.join(dict.fromkeys(calls))} called, but switched off in this test{suffix}")


# ---------------------------------------------------------------------------------------------- source checks
def _from_notebook(item) -> bool:
    """Whether a function or class was defined by the notebook's code (``__main__``). Checked by the namespace its
    code runs in, not only by ``__module__``: a cell may rebind ``__name__`` or set a class's ``__module__``."""
    main = getattr(sys.modules.get("__main__"), "__dict__", None)
    if isinstance(item, types.FunctionType):
        return item.__module__ == "__main__" or item.__globals__ is main
    if isinstance(item, type):
        if item.__module__ == "__main__":
            return True
        for value in list(vars(item).values()):
            value = getattr(value, "__func__", value)
            if isinstance(value, types.FunctionType) and value.__globals__ is main:
                return True
    return False


def _source_tree(fn) -> tuple[ast.AST, str]:
    fn = getattr(fn, "py_func", fn)   # numba dispatchers
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as err:
        raise AssertionError(f"cannot read the code of {getattr(fn, '__name__', fn)!r} ({err}): define it with "
                             f"def in its answer cell") from None
    name = getattr(fn, "__name__", repr(fn))
    try:
        return ast.parse(source), name
    except SyntaxError:
        tree = _lambda_tree(fn)
        if tree is None:
            raise AssertionError(f"cannot parse the code of {name!r}: define it with def in its answer cell") from None
        return tree, name


def _lambda_tree(fn):
    """The lambdas on ``fn``'s first line, parsed from the whole file (or notebook cell) that defines it: the lines
    inspect gives for a lambda inside a bigger expression (``{"cos": lambda a: -sin(a),``) do not parse alone."""
    code = getattr(fn, "__code__", None)
    if code is None or code.co_name != "<lambda>":
        return None
    try:
        whole = ast.parse("".join(linecache.getlines(code.co_filename)))
    except (SyntaxError, ValueError):
        return None
    found = [node for node in ast.walk(whole) if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno]
    return ast.Module(body=[ast.Expr(node) for node in found], type_ignores=[]) if found else None


def _resolve(node, namespace: dict):
    if isinstance(node, ast.Name):
        return namespace.get(node.id, getattr(builtins, node.id, None))
    if isinstance(node, ast.Attribute):
        parent = _resolve(node.value, namespace)
        if isinstance(parent, (types.ModuleType, type)):
            return getattr(parent, node.attr, None)
    return None


def source_uses(fn, *, attributes=(), objects=(), _seen=None) -> list[str]:
    """Where ``fn`` (and every notebook function it refers to) names an attribute in ``attributes`` or refers to
    one of ``objects`` (modules, functions, classes, compared by identity); empty if nowhere. ``fn``'s own code
    must be readable; methods Python generated for a notebook class (a dataclass's ``__init__``) are skipped.
    ``_seen``: a set of ids shared by several calls, so that each function is read once (a function whose code
    cannot be read is then skipped, not refused)."""
    top = _seen is None
    _seen = set() if _seen is None else _seen
    fn = getattr(fn, "py_func", fn)
    if id(fn) in _seen:
        return []
    _seen.add(id(fn))
    try:
        tree, name = _source_tree(fn)
    except AssertionError:
        if top:
            raise
        return []              # a method Python generated (dataclasses, reprlib): no source, not the student's
    namespace = dict(getattr(fn, "__globals__", {}))
    wanted = {id(o): _label(o) if not isinstance(o, types.ModuleType) else o.__name__ for o in objects}
    found, callees = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in attributes:
            found.append(f"{name} line {node.lineno}: .{node.attr}")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                loaded = sys.modules.get(module)
                if loaded is not None and id(loaded) in wanted:
                    found.append(f"{name} line {node.lineno}: imports {module}")
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
            value = _resolve(node, namespace)
            if value is not None and id(value) in wanted:
                found.append(f"{name} line {node.lineno}: {wanted[id(value)]}")
            value = getattr(value, "py_func", value)
            if isinstance(value, types.FunctionType) and _from_notebook(value):
                callees.append(value)
            elif isinstance(value, type) and _from_notebook(value):
                callees.extend(v for v in vars(value).values() if isinstance(v, types.FunctionType))
    for callee in callees:
        found += source_uses(callee, attributes=attributes, objects=objects, _seen=_seen)
    return list(dict.fromkeys(found))


def check_source(fn, *, attributes=(), objects=(), because: str = "") -> None:
    """Fail (AssertionError naming each place) if ``fn`` or a notebook function it calls uses one of them."""
    uses = source_uses(fn, attributes=attributes, objects=objects)
    name = getattr(fn, "__name__", repr(fn))
    assert not uses, f"{name} uses what this part asks you to write yourself ({'; '.join(uses)})" + (
        f": {because}" if because else "")


# ---------------------------------------------------------------------------------------------- value checks
def _code_objects(code: types.CodeType) -> list[types.CodeType]:
    """``code`` and every code object nested in it (functions, lambdas, comprehensions, classes)."""
    found = [code]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found += _code_objects(const)
    return found


def _global_names(code: types.CodeType) -> set[str]:
    """The global names ``code`` and the code nested in it read or write (not attribute names: ``x.sin()`` does not
    reach a global ``sin``)."""
    return {ins.argval for c in _code_objects(code) for ins in dis.get_instructions(c)
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL")}


def reachable(fn, stop=None):
    """Every value ``fn`` can reach, as (value, where) pairs, ``fn`` first: the globals its code reads or writes
    (nested functions, lambdas and comprehensions included), its default arguments and closure cells -- for ``fn`` itself and
    for functions defined in ``__main__`` (the notebook), not for library functions; partials (function, arguments,
    keywords); bound methods, staticmethods and classmethods (function and ``self``); properties (their functions);
    built-in methods (``__self__``: the ufunc behind ``np.logaddexp.reduce``); lists, tuples, sets and dicts (their
    first 1,000 items or values); the notebook's classes (their attributes) and instances (``__dict__`` and class).
    Up to six steps away from ``fn``; each value once. ``stop(value)`` true: the value is reported but not entered."""
    seen, stack = set(), [(fn, getattr(fn, "__name__", "?"), 0)]
    while stack:
        item, where, depth = stack.pop()
        if id(item) in seen or depth > 6:
            continue
        seen.add(id(item))
        yield item, where
        if stop is not None and stop(item):
            continue
        children = []
        if isinstance(item, (staticmethod, classmethod, types.MethodType)):
            children += [(item.__func__, where)] + ([(item.__self__, where)] if hasattr(item, "__self__") else [])
        elif isinstance(item, property):
            children += [(f, where) for f in (item.fget, item.fset, item.fdel) if f is not None]
        elif isinstance(item, types.FunctionType):
            if depth == 0 or _from_notebook(item):
                names = _global_names(item.__code__)
                children += [(item.__globals__[n], f"{item.__name__}: {n}") for n in names if n in item.__globals__]
                children += [(v, f"{item.__name__}: a default argument") for v in (item.__defaults__ or ())]
                children += [(v, f"{item.__name__}: a default argument") for v in (item.__kwdefaults__ or {}).values()]
                for cell in item.__closure__ or ():
                    try:
                        children.append((cell.cell_contents, f"{item.__name__}: a closure variable"))
                    except ValueError:       # an empty cell
                        pass
        elif isinstance(item, functools.partial):
            children += [(item.func, where)] + [(v, where) for v in item.args] + [(v, where) for v in item.keywords.values()]
        elif isinstance(item, (types.BuiltinMethodType, types.MethodWrapperType)):
            children.append((getattr(item, "__self__", None), where))
        elif isinstance(item, (list, tuple, set, frozenset)):
            children += [(v, where) for v in list(item)[:1000]]
        elif isinstance(item, dict):
            children += [(v, where) for v in list(item.values())[:1000]]
        elif isinstance(item, type) and _from_notebook(item):
            children += [(v, f"{item.__name__}.{k}") for k, v in vars(item).items()]
        elif hasattr(item, "__dict__") and _from_notebook(type(item)):
            children += [(v, where) for v in vars(item).values()] + [(type(item), where)]
        stack += [(child, name, depth + 1) for child, name in children]


def refers_to(fn, objects) -> list[str]:
    """Where ``fn`` -- or a notebook function, partial, container or bound method it can reach through the names its
    code uses, its default arguments and its closure (see :func:`reachable`) -- holds one of ``objects`` (compared by
    identity): a list of descriptions, empty if nowhere. A source check reads the code; this follows the values (an
    alias bound at the top of a cell, np.logaddexp.reduce kept in a list or a functools.partial...)."""
    wanted = {id(o): o for o in objects}

    def held(item):
        return id(item) in wanted and wanted[id(item)] is item

    return list(dict.fromkeys(f"{where} is {getattr(item, '__name__', item)!r}"
                              for item, where in reachable(fn, stop=held) if held(item)))
