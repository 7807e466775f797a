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
  (a profile hook that compares the callee by identity), and the block fails when it ends.

Inside the block a refused call raises :class:`ForbiddenCallError` naming the routine and ``because``.

:func:`check_source` reads a function's code -- its syntax tree, not its text, so comments, docstrings and
longer names that contain a forbidden word do not count -- and the code of every function of the notebook it
calls, and fails if any of them names a forbidden attribute or refers to a forbidden object.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
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
    ops, swapped, builtin_ids, methods = {}, [], {}, {}
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
        else:
            raise ValueError(f"cannot switch off {target!r}: pass an 'aten::op' name, a Python function, "
                             f"a built-in function or a method descriptor such as np.ndarray.view")
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
        if builtin_ids or methods:
            stack.enter_context(_builtins_off(builtin_ids, methods, suffix))
        with stack:
            yield
    finally:
        for function, code in saved:
            function.__code__ = code
        for namespace in added_to:
            namespace.pop("__forbidden_error__", None)


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


def _composite_implicit(op: str) -> bool:
    """Whether ``op`` ("aten::name") decomposes above the Python dispatch key (a dispatch mode never sees it)."""
    import torch
    if not op.startswith("aten::"):
        return False
    try:
        return bool(torch._C._dispatch_has_kernel_for_dispatch_key(op, "CompositeImplicitAutograd"))
    except RuntimeError:       # no such operator
        return False


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


@contextlib.contextmanager
def _builtins_off(builtin_ids: dict, methods: dict, suffix: str):
    """Built-in calls are seen by a profile hook. A hook that raises is switched off by Python, so it records
    the call instead and the block fails when it ends (the call's result is never graded)."""
    previous = sys.getprofile()
    calls: list[str] = []

    def profile(frame, event, arg):
        if event == "c_call":
            label = builtin_ids.get(id(arg))
            if label is None and methods:
                owner = getattr(arg, "__self__", None)
                for (cls, name), method_label in methods.items():
                    if isinstance(owner, cls) and getattr(arg, "__name__", None) == name:
                        label = method_label
                        break
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
def _source_tree(fn) -> tuple[ast.AST, str]:
    fn = getattr(fn, "py_func", fn)   # numba dispatchers
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as err:
        raise AssertionError(f"cannot read the code of {getattr(fn, '__name__', fn)!r} ({err}): define it with "
                             f"def in its answer cell") from None
    return ast.parse(source), getattr(fn, "__name__", repr(fn))


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
    must be readable; methods Python generated for a notebook class (a dataclass's ``__init__``) are skipped."""
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
            if isinstance(value, types.FunctionType) and value.__module__ == "__main__":
                callees.append(value)
            elif isinstance(value, type) and value.__module__ == "__main__":
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
