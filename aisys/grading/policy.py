"""What graded code may do, checked on its syntax tree before anything runs.

The grader (``aisys.grading.autograde``) reads every code cell a student wrote -- answer cells and cells they
added -- outside the student's kernel and refuses, with the line and the reason, a cell that

- reaches for the grading machinery: the IPython shell (``get_ipython``, input and AST transformers), the
  interpreter (``exec``, ``eval``, ``compile``, ``globals``, ``__import__``, frames, ``__dict__``,
  ``__globals__``, ``__subclasses__`` and the other reflective double-underscore attributes), private
  internals of a library (``torch._C``, ``np._core``), or this package;
- changes a library: assigning or deleting an attribute of a module or of a library class
  (``np.allclose = ...``, ``torch.Tensor.add = ...``, ``setattr(F, "conv2d", ...)``);
- imports something a lab has no use for (``os`` beyond ``os.path``, ``sys`` beyond number limits,
  ``ctypes``, ``inspect``, ``importlib``, ``pickle``, ``subprocess``, ...; see ``ALLOWED_PACKAGES``), runs a
  shell or magic command other than ``%time``/``%timeit``/``%matplotlib``, or catches ``KeyboardInterrupt``
  (which would stop the grader's time limit from working).

A refused cell is not run; its reasons go into the grading report. Everything else a lab needs -- NumPy, PyTorch,
numba, Triton, the standard library's maths and containers -- is allowed. The kernel-side watch
(:mod:`aisys.grading.guard`) backs this up at run time for what a syntax tree cannot see.
"""
from __future__ import annotations

import ast
import functools
import importlib
import re
import symtable
import types
from dataclasses import dataclass

#: Top-level packages graded code may import.
ALLOWED_PACKAGES = frozenset({
    "__future__", "abc", "array", "bisect", "cmath", "collections", "contextlib", "copy", "dataclasses",
    "decimal", "enum", "fractions", "functools", "heapq", "itertools", "math", "numbers", "operator", "os",
    "random", "re", "statistics", "string", "struct", "sys", "textwrap", "time", "typing", "warnings",
    "numpy", "scipy", "torch", "numba", "triton", "matplotlib", "mpl_toolkits", "tqdm", "ml_dtypes", "aisys",
})
#: Modules (and everything under them) that no graded code may import or reach.
DENIED_MODULES = frozenset({
    "aisys.grading", "numpy.core", "numpy.ctypeslib", "numpy.f2py", "numpy.distutils", "numpy.lib.format",
    "numpy.lib.npyio", "torch.library", "torch.utils.cpp_extension", "torch.overrides", "torch.hub",
    "torch.package", "torch.serialization", "torch.jit", "numba.core.typing.ctypes_utils",
})
#: Modules of which graded code may use only the names listed.
ATTRIBUTE_ALLOWLIST = {
    "sys": frozenset({"float_info", "int_info", "hash_info", "maxsize", "byteorder", "version_info", "version",
                      "implementation", "platform", "getrecursionlimit", "setrecursionlimit", "getsizeof",
                      "float_repr_style"}),
    "os": frozenset({"path", "cpu_count", "getcwd", "listdir", "sep", "linesep", "getpid"}),
    "operator": None,   # everything except DENIED_OBJECTS below
}
#: Library objects graded code may not use (they evaluate strings, unpickle or touch raw memory).
DENIED_OBJECTS = (("numpy", "load"), ("torch", "load"), ("operator", "attrgetter"), ("operator", "methodcaller"),
                  ("numba", "cfunc"), ("numba", "carray"), ("numba", "farray"),
                  # get_field follows "0.__globals__[...]" or "0.__traceback__.tb_frame..." from Python code outside
                  # the student's cells, where the guard's attribute checks do not look
                  ("string", "Formatter"))
#: Attribute names no graded code may use, on any object.
DENIED_ATTRIBUTES = frozenset({
    "ctypes", "load_library",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "tb_frame", "tb_next",
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code",
})
_OPERATORS = ("add sub mul matmul truediv floordiv mod divmod pow lshift rshift and or xor").split()
#: Double-underscore attributes graded code may use: operator methods, construction, containers, conversions.
SAFE_DUNDERS = frozenset(
    {f"__{op}__" for op in _OPERATORS}
    | {f"__r{op}__" for op in _OPERATORS}
    | {f"__i{op}__" for op in _OPERATORS}
    | {f"__{n}__" for n in (
        "init", "new", "name", "qualname", "doc", "class", "len", "iter", "next", "reversed", "call", "enter",
        "exit", "contains", "getitem", "setitem", "delitem", "missing", "hash", "repr", "str", "format",
        "bool", "float", "int", "index", "complex", "round", "floor", "ceil", "trunc", "neg", "pos", "abs",
        "invert", "eq", "ne", "lt", "le", "gt", "ge", "array", "array_priority", "array_ufunc",
        "array_function", "torch_function", "post_init", "slots", "version", "copy", "deepcopy")})
#: Names graded code may not use at all.
DENIED_NAMES = frozenset({
    "get_ipython", "exec", "eval", "compile", "globals", "locals", "vars", "__import__", "breakpoint",
    "__builtins__", "__loader__", "__spec__", "In", "Out", "_ih", "_oh", "_dh", "exit", "quit",
})
_HISTORY = re.compile(r"^(_i+|_i\d+|_\d+|__|___)$")
#: IPython magics graded code may use (their code is reviewed like any other).
SAFE_MAGICS = frozenset({"time", "timeit", "matplotlib"})


@dataclass(frozen=True)
class Violation:
    """Why a cell is not run: ``tampering`` when it reaches for the grading machinery or changes a library."""
    line: int
    what: str
    tampering: bool = True

    def __str__(self) -> str:
        kind = "tampering" if self.tampering else "not allowed"
        return f"{kind}: {self.what} (line {self.line})"


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def module_problem(name: str) -> str | None:
    """Why importing the module ``name`` is refused, or None if graded code may import it."""
    parts = name.split(".")
    if name == "__future__":
        return None
    if any(part.startswith("_") for part in parts):
        return f"imports the private module {name}"
    if parts[0] not in ALLOWED_PACKAGES:
        return f"imports {name}, which graded code may not use"
    for denied in DENIED_MODULES:
        if name == denied or name.startswith(denied + "."):
            return f"imports {name}, which graded code may not use"
    return None


_MISSING = object()
#: Modules that are the implementation of a public name (``os.path`` is ``posixpath``).
_MODULE_ALIASES = {"posixpath": "os.path", "ntpath": "os.path"}


def _import(name: str):
    """The module ``name`` if graded code may import it and it imports, else None (never imports anything else)."""
    if module_problem(name) is not None:
        return None
    try:
        return importlib.import_module(name)
    except Exception:  # not installed, or fails to import: the kernel will say so
        return None


@functools.lru_cache(maxsize=None)
def _denied_objects() -> dict[int, str]:
    found = {}
    for module, attr in DENIED_OBJECTS:
        mod = _import(module)
        obj = getattr(mod, attr, None) if mod is not None else None
        if obj is not None:
            found[id(obj)] = f"{module}.{attr}"
    return found


def _is_library_class(obj) -> bool:
    return isinstance(obj, type) and getattr(obj, "__module__", "__main__") not in ("__main__", None)


def attribute_problem(parent, name: str, store: bool = False) -> str | None:
    """Why ``parent.name`` (``parent`` resolved statically, or None if unknown) is refused, or None."""
    if is_dunder(name) and (name not in SAFE_DUNDERS or (store and name == "__class__")):
        return f"uses the reflective attribute {name}"
    if name in DENIED_ATTRIBUTES:
        return f"uses the attribute .{name}"
    if isinstance(parent, types.ModuleType):
        owner = parent.__name__
        if store:
            return f"changes {owner}.{name} (graded code may not modify a library)"
        if name.startswith("_") and not is_dunder(name):
            return f"reaches into the private internals of {owner} ({owner}.{name})"
        allowed = ATTRIBUTE_ALLOWLIST.get(owner, _MISSING)
        if allowed is not _MISSING and allowed is not None and name not in allowed:
            return f"uses {owner}.{name}, which graded code may not use"
        value = getattr(parent, name, _MISSING)
        if isinstance(value, types.ModuleType):
            return module_problem(_MODULE_ALIASES.get(value.__name__, value.__name__))
        if value is not _MISSING and id(value) in _denied_objects():
            return f"uses {_denied_objects()[id(value)]}, which graded code may not use"
    elif _is_library_class(parent):
        owner = f"{parent.__module__}.{parent.__qualname__}"
        if store:
            return f"changes {owner}.{name} (graded code may not modify a library class)"
        if name.startswith("_") and not is_dunder(name):
            return f"reaches into the private internals of {owner} ({name})"
    return None


class _Reviewer(ast.NodeVisitor):
    """One pass over a cell: collects Violations; ``env`` maps module-level names to statically known objects."""

    def __init__(self, env: dict, protected=frozenset()):
        self.env = env
        self.protected = frozenset(protected)
        self.violations: list[Violation] = []
        self.local_scopes: list[set[str]] = []
        self.allowed_nodes: set[int] = set()

    # --- helpers -------------------------------------------------------------------------------------
    def flag(self, node, what, tampering=True):
        self.violations.append(Violation(getattr(node, "lineno", 0), what, tampering))

    def resolve(self, node):
        """The object an expression statically stands for (a module, class or function), or None."""
        if isinstance(node, ast.Name):
            if any(node.id in scope for scope in self.local_scopes):
                return None
            return self.env.get(node.id)
        if isinstance(node, ast.Attribute):
            parent = self.resolve(node.value)
            if isinstance(parent, types.ModuleType) or _is_library_class(parent):
                if node.attr.startswith("_") or attribute_problem(parent, node.attr) is not None:
                    return None
                try:
                    value = getattr(parent, node.attr)
                except Exception:
                    return None
                return value if isinstance(value, (types.ModuleType, type, types.FunctionType,
                                                    types.BuiltinFunctionType)) or callable(value) else None
        return None

    def bind_module_level(self, name: str, value) -> None:
        if not self.local_scopes:
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value

    # --- imports -------------------------------------------------------------------------------------
    def visit_Import(self, node):
        for alias in node.names:
            problem = module_problem(alias.name)
            if problem:
                self.flag(node, problem, tampering=self._is_machinery(alias.name))
                continue
            if alias.asname:
                self.bind_module_level(alias.asname, _import(alias.name))
            else:
                top = alias.name.split(".")[0]
                self.bind_module_level(top, _import(top))

    def visit_ImportFrom(self, node):
        if node.level:
            self.flag(node, "uses a relative import", tampering=False)
            return
        module = node.module or ""
        problem = module_problem(module)
        if problem:
            self.flag(node, problem, tampering=self._is_machinery(module))
            return
        parent = _import(module)
        for alias in node.names:
            if alias.name == "*":
                self.flag(node, f"uses 'from {module} import *' (name what you import)", tampering=False)
                continue
            problem = attribute_problem(parent, alias.name)
            if problem is None and parent is not None and not hasattr(parent, alias.name):
                problem = module_problem(f"{module}.{alias.name}")
            if problem:
                self.flag(node, problem, tampering=True)
                continue
            value = getattr(parent, alias.name, None) if parent is not None else None
            if value is None:
                value = _import(f"{module}.{alias.name}")
            self.bind_module_level(alias.asname or alias.name, value)

    @staticmethod
    def _is_machinery(module: str) -> bool:
        top = module.split(".")[0]
        return top in {"IPython", "ipykernel", "builtins", "gc", "inspect", "ctypes", "importlib", "aisys",
                       "nbgrader", "traitlets", "jupyter_client", "zmq", "sqlite3", "pickle", "marshal",
                       "types", "code", "codeop", "runpy", "signal", "threading", "_thread"} or \
            module.startswith(("torch.library", "torch.overrides", "torch.utils.cpp_extension"))

    # --- names and attributes ------------------------------------------------------------------------
    def visit_Name(self, node):
        if id(node) in self.allowed_nodes:
            return
        if node.id in DENIED_NAMES or _HISTORY.match(node.id):
            self.flag(node, f"uses {node.id}")

    def _protected_root(self, node) -> str | None:
        """The protected global an attribute/subscript chain starts from (not shadowed by a local), if any."""
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.protected and \
                not any(node.id in scope for scope in self.local_scopes):
            return node.id
        return None

    def visit_Attribute(self, node):
        store = isinstance(node.ctx, (ast.Store, ast.Del))
        if id(node) not in self.allowed_nodes:
            problem = attribute_problem(self.resolve(node.value), node.attr, store=store)
            if problem:
                self.flag(node, problem)
            elif store and self._protected_root(node.value):
                self.flag(node, f"changes {self._protected_root(node.value)}.{node.attr}, which the tests use")
        self.visit(node.value)

    def visit_MatchClass(self, node):
        """``case C(name=pattern)`` reads ``subject.name`` in C, past the run-time checks of getattr: a keyword of a
        class pattern is reviewed as an attribute read of an object not known until run time, and may not be private."""
        for name in node.kwd_attrs:
            problem = attribute_problem(None, name) or (
                f"reads the private attribute {name} through a match pattern" if name.startswith("_") else None)
            if problem:
                self.flag(node, problem)
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)) and self._protected_root(node.value):
            self.flag(node, f"changes an item of {self._protected_root(node.value)}, which the tests use")
        self.generic_visit(node)

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.bind_module_level(node.targets[0].id, self.resolve(node.value))

    def visit_Call(self, node):
        func = node.func
        if self._magic(node):
            return
        if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr", "setattr", "delattr") and \
                not any(func.id in scope for scope in self.local_scopes) and len(node.args) >= 2:
            target, name = node.args[0], node.args[1]
            store = func.id in ("setattr", "delattr")
            parent = self.resolve(target)
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                problem = attribute_problem(parent, name.value, store=store)
                if problem:
                    self.flag(node, problem)
            elif isinstance(parent, types.ModuleType) or _is_library_class(parent):
                self.flag(node, f"uses {func.id}() with a computed name on {getattr(parent, '__name__', parent)}")
            if store and self._protected_root(target):
                self.flag(node, f"changes {self._protected_root(target)} with {func.id}(), which the tests use")
        self.generic_visit(node)

    # --- IPython magics --------------------------------------------------------------------------------
    def _magic(self, node) -> bool:
        """Handle ``get_ipython().<method>(...)`` made by IPython from %magics and !shell lines."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"):
            return False
        args = node.args
        name = args[0].value if args and isinstance(args[0], ast.Constant) else None
        if func.attr in ("run_line_magic", "run_cell_magic") and name in SAFE_MAGICS:
            for arg in args[1:]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and name != "matplotlib":
                    for problem in review_source(_strip_timeit_options(arg.value), self.env, self.protected):
                        self.violations.append(Violation(node.lineno, problem.what, problem.tampering))
            return True
        shown = f"%{name}" if func.attr in ("run_line_magic", "run_cell_magic") else "a shell command (!)"
        self.flag(node, f"uses {shown}, which is not run when grading", tampering=False)
        return True

    # --- scopes ------------------------------------------------------------------------------------------
    def _function(self, node):
        for decorator in getattr(node, "decorator_list", ()):
            self.visit(decorator)
        self.visit(node.args)
        if getattr(node, "returns", None) is not None:
            self.visit(node.returns)
        local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        declared_global = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Global):
                declared_global.update(child.names)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                local.add(child.id)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
                local.add(child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                local.update((a.asname or a.name).split(".")[0] for a in child.names)
        self.local_scopes.append(local - declared_global)
        body = node.body if isinstance(node.body, list) else [node.body]
        for statement in body:
            self.visit(statement)
        self.local_scopes.pop()
        if not isinstance(node, ast.Lambda):
            self.bind_module_level(node.name, None)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_ClassDef(self, node):
        self.generic_visit(node)
        self.bind_module_level(node.name, None)

    def visit_Try(self, node):
        for handler in node.handlers:
            caught = handler.type
            names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
            if caught is None or any(isinstance(n, ast.Name) and n.id in ("BaseException", "KeyboardInterrupt")
                                     for n in names):
                self.flag(handler, "catches KeyboardInterrupt (a bare except or BaseException), which would "
                                   "defeat the grader's time limit: catch Exception instead", tampering=False)
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def visit_Global(self, node):
        rebound = sorted(set(node.names) & self.protected)
        if rebound:
            self.flag(node, f"declares global {', '.join(rebound)}, which the tests read (a function could replace "
                            "it while a test runs)")


def _strip_timeit_options(text: str) -> str:
    """The statement of a %timeit/%time line without its options (-n 10 -r 3 -q -o ...)."""
    return re.sub(r"^\s*(-[nrpt]\s*\d+\s*|-[qoc]\s*)*", "", text)


def python_source(cell_source: str) -> str:
    """A cell's IPython source as plain Python (magics become ``get_ipython()`` calls)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(cell_source)


def review_source(source: str, env: dict | None = None, protected=frozenset()) -> list[Violation]:
    """Violations in one cell of IPython source. ``env`` (updated in place) holds module-level names bound by
    earlier cells (``import numpy as np`` -> numpy), so that ``np.allclose = ...`` is known to change a library;
    ``protected``: globals the tests read, which a ``global`` statement may not name."""
    env = {} if env is None else env
    try:
        tree = ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return []   # the kernel reports the syntax error; there is nothing to run
    reviewer = _Reviewer(env, protected)
    for node in ast.walk(tree):   # the get_ipython() inside an allowed magic call is fine
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) \
                and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "get_ipython":
            reviewer.allowed_nodes.add(id(node.func.value.func))
            reviewer.allowed_nodes.add(id(node.func))
    reviewer.visit(tree)
    return reviewer.violations


def module_environment(sources: list[str]) -> dict:
    """Module-level names bound by import statements in trusted (instructor) cells, resolved statically."""
    env: dict = {}
    for source in sources:
        try:
            tree = ast.parse(python_source(source))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.name if alias.asname else alias.name.split(".")[0]
                    module = _import(name)
                    if module is not None:
                        env[alias.asname or name] = module
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                parent = _import(node.module)
                for alias in node.names:
                    value = getattr(parent, alias.name, None) if parent is not None else None
                    if value is None:
                        value = _import(f"{node.module}.{alias.name}")
                    if value is not None:
                        env[alias.asname or alias.name] = value
    return env


# ----------------------------------------------------------------------------------------------------- names
def free_globals(source: str) -> set[str]:
    """Names a cell reads from the notebook's globals: read at module level before the cell binds them, or
    read inside a function or class body without being local there."""
    try:
        tree = ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return set()
    free: set[str] = set()
    bound: set[str] = set()

    def scan(node, local: set[str] | None):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for child in (node.decorator_list if not isinstance(node, ast.Lambda) else []) + node.args.defaults:
                scan(child, local)
            names = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            declared = set()
            for child in ast.walk(node):
                if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                    names.add(child.id)
                elif isinstance(child, ast.Global):
                    declared.update(child.names)
                elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
                    names.add(child.name)
                elif isinstance(child, (ast.Import, ast.ImportFrom)):
                    names.update((a.asname or a.name).split(".")[0] for a in child.names)
            inner = (names - declared) | (local or set())
            for child in (node.body if isinstance(node.body, list) else [node.body]):
                scan(child, inner)
            if local is None and not isinstance(node, ast.Lambda):
                bound.add(node.name)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            targets = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            scan(node.generators[0].iter, local)
            inner = (local or set()) | targets
            for g in node.generators:
                if g is not node.generators[0]:
                    scan(g.iter, inner)
                for condition in g.ifs:
                    scan(condition, inner)
            for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                scan(part, inner)
            return
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                if (local is not None and node.id not in local) or (local is None and node.id not in bound):
                    free.add(node.id)
            elif local is None:
                bound.add(node.id)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)) and local is None:
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
            return
        if isinstance(node, ast.Assign):   # the value is read before the targets are bound
            scan(node.value, local)
            for target in node.targets:
                scan(target, local)
            return
        if isinstance(node, ast.ClassDef):
            for child in node.bases + node.keywords + node.decorator_list:
                scan(child, local)
            for child in node.body:
                scan(child, local if local is not None else set())
            if local is None:
                bound.add(node.name)
            return
        for child in ast.iter_child_nodes(node):
            scan(child, local)

    for statement in tree.body:
        scan(statement, None)
    return free


def bound_globals(source: str) -> set[str]:
    """Names a cell binds at module level (assignments, defs, classes, imports, ``global`` declarations)."""
    try:
        tree = ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        for child in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else []:
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            names.update(node.names)
    return names


def protected_names(instructor_cells: list[str], test_cells: list[str], answer_cells: list[str]) -> set[str]:
    """The globals the tests read that instructor cells (or Python's builtins) provide: the grading kernel puts
    these back before every instructor cell runs, so a student's redefinition cannot change what a test sees.

    A name a test reads counts, and so does every name read by an instructor function or class the tests use.
    Names the assignment's answer cells (``answer_cells``: the template's, not a submission's) define and no
    instructor cell binds -- the student's own functions -- are not protected."""
    import builtins
    bound_by_instructor = set().union(*(bound_globals(s) for s in instructor_cells)) if instructor_cells else set()
    provided = bound_by_instructor | set(dir(builtins))
    student_api = set().union(*(bound_globals(s) for s in answer_cells)) if answer_cells else set()
    student_api -= bound_by_instructor       # a name an instructor cell binds stays the instructor's
    reads_of: dict[str, set[str]] = {}
    for source in instructor_cells:
        for name in bound_globals(source):
            reads_of.setdefault(name, set()).update(free_globals(source))
    wanted = set().union(*(free_globals(s) for s in test_cells)) if test_cells else set()
    protected, frontier = set(), set(wanted)
    while frontier:
        name = frontier.pop()
        if name in protected or name not in provided or name in student_api:
            continue
        protected.add(name)
        frontier |= reads_of.get(name, set()) - protected
    return protected


def names_only_tests_bind(instructor_cells: list[str], test_cells: list[str], answer_cells: list[str]) -> set[str]:
    """Globals that only test cells bind (expected values, hidden references): student code has no business
    reading them (a function called by a test could otherwise return the test's own answer)."""
    import builtins
    tests = set().union(*(bound_globals(s) for s in test_cells)) if test_cells else set()
    others = set().union(*(bound_globals(s) for s in instructor_cells if s not in test_cells)) if instructor_cells else set()
    answers = set().union(*(bound_globals(s) for s in answer_cells)) if answer_cells else set()
    return tests - others - answers - set(dir(builtins))


def names_read_when_called(source: str) -> set[str]:
    """Globals read inside the cell's functions (when they are called, possibly by a test), not bound there.
    Scopes are Python's own (``symtable``): a lambda or comprehension inside a function reads that function's
    locals, not globals."""
    try:
        table = symtable.symtable(python_source(source), "<cell>", "exec")
    except (SyntaxError, ValueError):
        return set()
    found = set()

    def visit(scope, in_function):
        is_function = scope.get_type() == "function"
        comprehension = scope.get_name() in ("listcomp", "dictcomp", "setcomp", "genexpr")
        if is_function and (in_function or not comprehension):   # a top-level comprehension runs at once
            found.update(s.get_name() for s in scope.get_symbols() if s.is_referenced() and s.is_global())
        for child in scope.get_children():
            visit(child, in_function or (is_function and not comprehension))

    visit(table, False)
    return found
