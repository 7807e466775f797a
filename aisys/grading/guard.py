"""The watch kept inside a grading kernel.

The grader starts every grading kernel with ``install(config)`` (an IPython ``exec_lines`` option), before
the first cell. From then on:

- **student code cannot reflect or patch.** An audit hook (which Python never lets anyone remove) refuses, when
  the code asking is a student's cell: frames (``sys._getframe``), tracing and profiling hooks, function code
  and class attributes of libraries (``torch.Tensor.add = ...``), ctypes, processes and shells, imports the
  policy refuses, and files written outside the grading folder. Code that a student's call makes Python
  compile at run time (``eval`` through a library, code generation) is reviewed like the student's cells.
  ``getattr``/``setattr``/``delattr``/``hasattr``/``vars`` in the notebook's namespace check the attribute
  name at run time, so a computed name cannot reach what a literal one may not.
- **libraries stay as they were.** The modules the tests use refuse to have attributes set or deleted by
  student code (their class is switched to one that checks the caller), however the module was reached.
  Methods of the library classes those modules define are recorded when first seen; if student code called by
  an instructor cell changed one, the change is put back when the cell ends and the cell fails (a line on its
  error stream, which nbgrader scores as a failure).
- **what the tests rely on is put back.** Before every instructor cell (setup, test, demo) the watch restores
  the globals the tests read (``np``, test helpers, builtins) to what instructor cells last bound, the
  functions of the watched modules and methods of their classes, and the IPython shell's input and AST
  transformers and event callbacks (those also after every student cell, because ipykernel transforms a cell's
  text before any event fires). Each restoration is reported.

A student's cell is recognised by its file name: IPython compiles every cell under a name made from a hash of
its source, and the grader passes the hashes of the instructor's cells. Every refusal and restoration prints a
line starting with ``[aisys-guard]`` on the cell's error stream, which the grading report collects.
"""
from __future__ import annotations

import builtins
import json
import os
import sys
import types
import warnings

MARK = "[aisys-guard]"

_real = {name: getattr(builtins, name) for name in ("getattr", "setattr", "delattr", "hasattr", "vars")}
_state: dict = {}
# Read once: sys and os are switched to _RestrictedModule, whose attribute reads ask who is calling.
_getframe = sys._getframe
_SEP = os.sep


class GradingPolicyError(PermissionError):
    """Raised in place of an operation that graded code may not perform."""


# ------------------------------------------------------------------------------------------------ who is calling
def _cell_file_prefix() -> str:
    from ipykernel.compiler import get_tmp_directory
    return get_tmp_directory() + os.sep


def _is_student_file(filename: str) -> bool:
    if not filename.startswith(_state["cell_prefix"]):
        return False
    return filename.rpartition(_SEP)[2][:-3] not in _state["trusted"]


def _student_caller(depth: int) -> bool:
    frame = _getframe(depth + 1)
    return frame is not None and _is_student_file(frame.f_code.co_filename)


def _student_on_stack(depth: int) -> bool:
    """A student's cell is on the call stack, and no import is under way above it (a library compiling code
    while it is being imported is the library's business)."""
    frame = _getframe(depth + 1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith("<frozen importlib"):
            return False
        if _is_student_file(filename):
            return True
        frame = frame.f_back
    return False


def _started_by_student() -> bool:
    """The calling thread was started while a student's cell was on the stack (or by such a thread)."""
    import threading
    return bool(getattr(threading.current_thread(), "_aisys_student", False))


def _launcher_requested(depth: int) -> bool:
    """The operation is done for one of _PROCESS_LAUNCHERS: the innermost frame outside the standard library and
    PyTorch's wrapper of multiprocessing belongs to a launcher (a student's function that a launcher runs is the
    innermost frame of what it does itself, so it is not covered)."""
    import sysconfig
    paths = sysconfig.get_paths()
    stdlib = os.path.realpath(paths["stdlib"]) + os.sep
    packages = tuple(os.path.realpath(paths[key]) + os.sep for key in ("purelib", "platlib"))
    wrapper = os.sep + os.path.join("torch", "multiprocessing") + os.sep
    frame = _getframe(depth + 1)
    while frame is not None:
        filename = frame.f_code.co_filename
        in_stdlib = filename.startswith(stdlib) and not filename.startswith(packages)
        if not (in_stdlib or filename.startswith("<frozen ") or wrapper in filename or filename == __file__):
            return any(launcher in filename for launcher in _PROCESS_LAUNCHERS)
        frame = frame.f_back
    return False


def _watched_fork_exec(original):
    """``_posixsubprocess.fork_exec`` (how multiprocessing's spawn and forkserver start Python) raises no audit
    event of its own: this wrapper raises one."""
    def fork_exec(*args, **kwargs):
        sys.audit("aisys.fork_exec", args[0] if args else None)
        return original(*args, **kwargs)
    return fork_exec


def _report(message: str) -> None:
    """A line for the grading report, on the cell's standard output (standard error would fail a test cell on
    its own; refusals fail it with their exception, restorations need not)."""
    _state["stdout"].write(f"{MARK} {message}\n")
    try:
        _state["stdout"].flush()
    except Exception:
        pass


def _refuse(message: str):
    _report(f"tampering: {message}")
    raise GradingPolicyError(f"not allowed when grading: {message}")


# ------------------------------------------------------------------------------------------------ audit hook
_REFLECTION_EVENTS = {"sys._getframe", "sys._current_frames", "sys.settrace", "sys.setprofile", "sys.addaudithook",
                      "object.__getattr__", "code.__new__", "function.__new__"}
_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.kill",
                   "os.killpg", "os.putenv", "os.unsetenv", "socket.connect", "socket.bind", "sys.exit"}
#: Events that start a process. A test's switch-offs and counters live in this process (swapped code objects) or
#: thread (PyTorch modes, the profile hook), so a process that student code starts -- directly or through a library
#: (multiprocessing, concurrent.futures, joblib...), at once or from a thread it started -- runs unwatched.
_NEW_PROCESS_EVENTS = {"os.fork", "os.forkpty", "subprocess.Popen", "os.posix_spawn", "os.spawn", "os.exec",
                       "os.system", "aisys.fork_exec"}
#: Libraries that start processes for their own work and end them: the course's launcher of distributed ranks
#: (aisys.dist joins every rank before it returns) and PyTorch Inductor's compiler invocations.
_PROCESS_LAUNCHERS = (os.sep + os.path.join("aisys", "dist.py"), os.sep + os.path.join("torch", "_inductor") + os.sep)
_UNPICKLE_DENIED = ("builtins", "os", "posix", "nt", "sys", "subprocess", "importlib", "IPython", "ipykernel",
                    "types", "code", "codeop", "runpy", "ctypes", "socket", "shutil", "pickle", "marshal",
                    "operator", "functools", "pty", "aisys")
_NARROW_NAMES = {"get_ipython", "exec", "eval", "compile", "globals", "locals", "vars", "__import__",
                 "breakpoint", "__builtins__"}
_NARROW_DUNDERS = {"__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__", "__bases__",
                   "__base__", "__mro__", "__dict__", "__getattribute__", "__loader__", "__spec__"}


def _library_object(obj) -> bool:
    """A class or function that a student's cell did not define."""
    if isinstance(obj, type) or isinstance(obj, (types.FunctionType, types.MethodType, types.ModuleType)):
        module = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
        return module != "__main__"
    return False


def _generated_code_problem(source) -> str | None:
    """Why code compiled at run time on a student's behalf is refused (a narrow review: no shell, no
    reflection, no imports of the grading machinery), or None."""
    import ast
    from . import policy
    if isinstance(source, (bytes, bytearray)):
        source = bytes(source).decode("utf-8", "replace")
    if not isinstance(source, str):
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _NARROW_NAMES:
            return f"code compiled at run time uses {node.id}"
        if isinstance(node, ast.Attribute) and (node.attr in _NARROW_DUNDERS or node.attr in policy.DENIED_ATTRIBUTES):
            return f"code compiled at run time uses .{node.attr}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if policy._Reviewer._is_machinery(name) or name.split(".")[0] in ("os", "sys", "subprocess", "socket"):
                    return f"code compiled at run time imports {name}"
    return None


def _audit(event: str, args: tuple) -> None:
    if _state.get("busy") or not _state.get("on"):
        return
    if not (event in _REFLECTION_EVENTS or event in _PROCESS_EVENTS or event in _NEW_PROCESS_EVENTS
            or event.startswith("ctypes.")
            or event in ("object.__setattr__", "object.__delattr__", "import", "compile", "open",
                         "pickle.find_class")):
        return
    _state["busy"] = True
    try:
        problem = None
        if event == "compile":
            if _student_on_stack(1):
                problem = _generated_code_problem(args[0])
        elif event == "pickle.find_class":
            if _student_on_stack(1) and str(args[0]).split(".")[0] in _UNPICKLE_DENIED:
                problem = f"unpickles {args[0]}.{args[1]}"
        elif event == "open":
            path, mode = args[0], args[1]
            if isinstance(mode, int):      # os.open: flags
                writing = bool(mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC))
            else:
                writing = any(m in str(mode or "r") for m in "wax+")
            if writing and isinstance(path, (str, bytes, os.PathLike)) and _student_on_stack(1):
                full = os.path.realpath(os.fsdecode(path))
                if not any((full + os.sep).startswith(root) for root in _state["writable"]) and \
                        not _launcher_requested(1):
                    problem = f"writes {full}"
        elif event in _NEW_PROCESS_EVENTS and (_student_on_stack(1) or _started_by_student()):
            if not _launcher_requested(1):
                problem = f"starts a process ({event}): a test's watch does not reach other processes"
        elif not _student_caller(1):
            return
        elif event in _REFLECTION_EVENTS:
            detail = f" ({args[1]})" if event == "object.__getattr__" else ""
            problem = f"{event}{detail}"
        elif event in _PROCESS_EVENTS or event.startswith("ctypes."):
            problem = f"{event}"
        elif event in ("object.__setattr__", "object.__delattr__"):
            if _library_object(args[0]):
                problem = f"changes {getattr(args[0], '__qualname__', args[0])}.{args[1]}"
        elif event == "import":
            from . import policy
            problem = policy.module_problem(str(args[0]))
    finally:
        _state["busy"] = False
    if problem:
        _refuse(problem)


# ------------------------------------------------------------------------------------------------ checked builtins
def _check_attribute(obj, name, store: bool) -> None:
    from . import policy
    if not isinstance(name, str) or not _student_caller(2):
        return
    parent = obj if isinstance(obj, types.ModuleType) or (isinstance(obj, type) and _library_object(obj)) else None
    problem = policy.attribute_problem(parent, name, store=store)
    if problem:
        _refuse(problem)


def _checked_getattr(obj, name, *default):
    _check_attribute(obj, name, store=False)
    return _real["getattr"](obj, name, *default)


def _checked_hasattr(obj, name):
    _check_attribute(obj, name, store=False)
    return _real["hasattr"](obj, name)


def _checked_setattr(obj, name, value):
    _check_attribute(obj, name, store=True)
    return _real["setattr"](obj, name, value)


def _checked_delattr(obj, name):
    _check_attribute(obj, name, store=True)
    return _real["delattr"](obj, name)


def _checked_vars(*args):
    if _student_caller(1):
        _refuse("uses vars()")
    return _real["vars"](*args)


CHECKED = {"getattr": _checked_getattr, "hasattr": _checked_hasattr, "setattr": _checked_setattr,
           "delattr": _checked_delattr, "vars": _checked_vars}
for _name, _fn in CHECKED.items():
    _fn.__name__ = _fn.__qualname__ = _name
    _fn.__doc__ = _real[_name].__doc__


# ------------------------------------------------------------------------------------------------ restoration
_SHELL_LISTS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")


def _watched_modules(namespace: dict) -> dict[str, types.ModuleType]:
    """builtins, the modules among the protected globals, and the modules one attribute below them."""
    found = {"builtins": builtins}
    for name in _state["protected"]:
        value = namespace.get(name)
        if isinstance(value, types.ModuleType):
            found[value.__name__] = value
            for child in list(vars(value).values()):
                if isinstance(child, types.ModuleType) and child.__name__.startswith(value.__name__ + "."):
                    found[child.__name__] = child
    return found


def _watched_classes(modules: dict) -> dict[str, type]:
    """Python-level classes defined in the watched modules (their methods are what tests call)."""
    found = {}
    for name, module in modules.items():
        for value in list(vars(module).values()):
            if isinstance(value, type) and str(getattr(value, "__module__", "")).split(".")[0] == name.split(".")[0] \
                    and getattr(value, "__flags__", 0) & (1 << 9):      # a heap type: defined in Python
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


class _GuardedModule(types.ModuleType):
    """The class a watched module is switched to: its attributes cannot be set or deleted by a student's code
    (``[np][0].allclose = ...`` raises no audit event, so the module itself refuses)."""

    def __new__(cls, *args, **kwargs):
        # importlib makes every new module as type(sys)(name): once sys is switched, that must stay a plain module.
        return types.ModuleType(*args, **kwargs)

    def __setattr__(self, name, value):
        if _state.get("on") and _student_caller(1):
            _refuse(f"changes {self.__name__}.{name}")
        super().__setattr__(name, value)

    def __delattr__(self, name):
        if _state.get("on") and _student_caller(1):
            _refuse(f"deletes {self.__name__}.{name}")
        super().__delattr__(name)


class _RestrictedModule(_GuardedModule):
    """The class of ``sys``, ``os`` and the course's modules: what a student's code reads of them is checked at run
    time, however it reached the module (``getattr(plt, "sys").modules``, an alias bound in a function, a lambda
    that returns ``sys``, ``sys.modules[...]``). Of sys and os, only what the policy allows (``sys.float_info``,
    ``os.path``...); of aisys, nothing private; of the grading package, nothing at all -- its state is what
    watches the student."""

    def __getattribute__(self, name):
        # Double-underscore names are the import system's (it reads __spec__ from C, on behalf of the cell that
        # imports); the source review refuses the reflective ones wherever they are written.
        if _state.get("on") and not _state.get("busy") and not name.startswith("__") and _student_caller(1):
            problem = _read_problem(types.ModuleType.__getattribute__(self, "__name__"), name)
            if problem:
                _refuse(problem)
        return super().__getattribute__(name)


def _read_problem(module_name: str, name: str) -> str | None:
    """The policy's rule for reading ``module.name`` (private names, sys's and os's allowlists), without its list of
    denied library objects: looking those up would import torch and numba into a kernel that had no use for them."""
    if module_name == "aisys.grading" or module_name.startswith("aisys.grading."):
        return f"reads {module_name}.{name}: graded code may not reach the grading machinery"
    from . import policy
    if name.startswith("_"):
        return f"reaches into the private internals of {module_name} ({module_name}.{name})"
    allowed = policy.ATTRIBUTE_ALLOWLIST.get(module_name)
    if allowed is not None and name not in allowed:
        return f"uses {module_name}.{name}, which graded code may not use"
    return None


def _restricted(name: str) -> bool:
    """sys, os and the course's own modules (whose private state -- a trace, a counter, a rank's group -- tests read)."""
    return name in ("sys", "os", "aisys") or name.startswith("aisys.")


def _restrict_modules() -> None:
    """Switch the modules _restricted names, as loaded so far (setup cells import more), to _RestrictedModule."""
    for name, module in list(sys.modules.items()):
        if _restricted(name) and type(module) in (types.ModuleType, _GuardedModule):
            module.__class__ = _RestrictedModule


def _remember(store: dict, key: str, owner, current: dict) -> None:
    """Record ``owner``'s attributes the first time it is seen; later, only attributes it did not have (a
    snapshot taken after a test cell must not adopt what student code called by that test changed)."""
    if key not in store:
        store[key] = (owner, dict(current))
    else:
        saved = store[key][1]
        for attr, value in current.items():
            saved.setdefault(attr, value)


def _snapshot(shell) -> None:
    for attr in _SHELL_LISTS:
        _state["shell"][attr] = list(getattr(shell, attr))
    _state["events"] = {event: list(callbacks) for event, callbacks in shell.events.callbacks.items()}
    namespace = shell.user_ns
    _state["names"] = {n: namespace[n] for n in _state["protected"] if n in namespace}
    # The contents of the instructor's containers the tests read (a table of kernels, a list of cases).
    _state["contents"] = {n: _copy(v) for n, v in _state["names"].items() if isinstance(v, (dict, list, set))}
    _restrict_modules()
    modules = _watched_modules(namespace)
    for name, module in modules.items():
        if type(module) is types.ModuleType:
            module.__class__ = _GuardedModule
        _remember(_state.setdefault("modules", {}), name, module, vars(module))
    classes = _watched_classes(modules)
    classes.update({f"__main__.{n}": v for n, v in _state["names"].items()   # the instructor's own classes
                    if isinstance(v, type) and v.__module__ == "__main__"})
    for name, cls in classes.items():
        _remember(_state.setdefault("classes", {}), name, cls, vars(cls))


def _copy(container):
    return dict(container) if isinstance(container, dict) else type(container)(container)


def _from_student(item) -> bool:
    """A callable defined in a student's cell (a function, a method, or an instance of a class)."""
    item = getattr(item, "func", item)            # functools.partial
    item = getattr(item, "__func__", item)        # bound methods
    code = getattr(item, "__code__", None)
    if code is not None:
        return _is_student_file(code.co_filename)
    return getattr(type(item), "__module__", None) == "__main__"


def _restore_list(current: list, saved: list, label: str) -> list[str]:
    """Remove what a student's cell added to one of the shell's lists, put back what it removed; keep what a
    library added (matplotlib registers a post_execute callback when pyplot is first imported, for example)."""
    changed = [item for item in current if item not in saved and _from_student(item)]
    missing = [item for item in saved if item not in current]
    if not changed and not missing:
        return []
    current[:] = [item for item in current if item not in changed] + missing
    return [label]


def _is_descriptor(value) -> bool:
    return callable(value) or isinstance(value, (property, staticmethod, classmethod, types.MemberDescriptorType,
                                                 types.GetSetDescriptorType))


def _is_code(value) -> bool:
    """Functions, classes and modules: what a test calls, as opposed to data it reads."""
    return callable(value) or isinstance(value, types.ModuleType)


def _restore_shell(shell) -> list[str]:
    """Put back the shell's transformers and callbacks. Run after every cell, because ipykernel transforms a
    cell's text before the pre_run_cell event fires."""
    restored = []
    for attr in _SHELL_LISTS:
        restored += _restore_list(getattr(shell, attr), _state["shell"][attr], f"the shell's {attr}")
    for event, saved in _state["events"].items():
        restored += _restore_list(shell.events.callbacks.setdefault(event, []), saved, f"the shell's {event} callbacks")
    return restored


def _restore(shell) -> None:
    namespace = shell.user_ns
    restored, notes = [], []
    for name, value in _state["names"].items():
        if namespace.get(name, _MISSING) is not value:
            namespace[name] = value
            (restored if _is_code(value) else notes).append(f"the global {name}")
    for name, saved in _state.get("contents", {}).items():
        current = namespace.get(name)
        if current is _state["names"].get(name) and current != saved:
            current.clear()
            current.update(saved) if isinstance(current, (dict, set)) else current.extend(saved)
            restored.append(f"the contents of {name}")
    for name in _state["protected"]:
        if name not in _state["names"] and name in namespace and hasattr(builtins, name):
            del namespace[name]          # a student's definition shadowing a builtin the tests use
            restored.append(f"the builtin {name}")
    for name, checked in CHECKED.items():
        if namespace.get(name) is not checked:
            namespace[name] = checked
    restored += _restore_libraries()
    restored += _restore_shell(shell)
    extra = set(vars(shell)) - _state["shell_attrs"]
    for attr in extra:
        if callable(vars(shell)[attr]) and hasattr(type(shell), attr):
            delattr(shell, attr)
            restored.append(f"the shell's {attr}")
    if shell.custom_exceptions != _state["custom_exceptions"]:
        shell.set_custom_exc((), None)
        restored.append("the shell's custom exception handler")
    if restored:
        _report("tampering: put back " + ", ".join(restored) + " before this cell ran")
    if notes:
        _report("note: put back " + ", ".join(notes) + " (the tests read them) before this cell ran")


def _restore_libraries() -> list[str]:
    """Put back the functions of watched modules and the methods of watched classes; returns what changed."""
    restored = []
    for module_name, (module, saved) in _state.get("modules", {}).items():
        current = vars(module)
        for key, value in saved.items():
            if _is_code(value) and key not in _VOLATILE and current.get(key, _MISSING) is not value:
                if _ipython_wrapper_of(current.get(key), value):
                    saved[key] = current[key]
                    continue
                current[key] = value
                restored.append(f"{module_name}.{key}")
    for class_name, (cls, saved) in _state.get("classes", {}).items():
        current = dict(vars(cls))
        for key, value in current.items():
            if key not in saved and _from_student(value):
                try:
                    type.__delattr__(cls, key)
                    restored.append(f"{class_name}.{key}")
                except (TypeError, AttributeError):
                    pass
        for key, value in saved.items():
            if _is_descriptor(value) and current.get(key, _MISSING) is not value:
                try:
                    type.__setattr__(cls, key, value)
                    restored.append(f"{class_name}.{key}")
                except (TypeError, AttributeError):
                    pass
    return restored


def _ipython_wrapper_of(new, old) -> bool:
    """IPython's own wrapping of a library function: when the first figure starts matplotlib's backend in a
    kernel, IPython replaces pyplot.draw_if_interactive by ``flag_calls(draw_if_interactive)``, a wrapper that calls
    the original and records that it did. The same function, watched the same way: not tampering."""
    code = getattr(new, "__code__", None)
    return (code is not None and code.co_qualname == "flag_calls.<locals>.wrapper"
            and code.co_filename.replace("\\", "/").endswith("IPython/utils/decorators.py")
            and any(cell.cell_contents is old for cell in new.__closure__ or ()))


_MISSING = object()
#: Names in watched modules that change between cells without anyone tampering (ipykernel swaps input()).
_VOLATILE = frozenset({"input", "raw_input", "getpass", "_", "__", "___", "get_ipython", "exit", "quit",
                       "display", "__IPYTHON__",
                       # set by IPython and ipykernel as cells run: the last exception, the streams, hooks
                       "last_type", "last_value", "last_traceback", "last_exc", "stdout", "stderr", "stdin",
                       "displayhook", "excepthook", "ps1", "ps2", "showwarning", "formatwarning"})


def _is_trusted_cell(raw: str) -> bool:
    from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86
    return str(murmur2_x86(raw, get_tmp_hash_seed())) in _state["trusted"]


def _pre_run_cell(info) -> None:
    if _is_trusted_cell(info.raw_cell):
        _state["on"] = False
        try:
            with warnings.catch_warnings():     # looking at deprecated library names must not warn in a test cell
                warnings.simplefilter("ignore")
                _restore(_state["shell"]["self"])
        finally:
            _state["on"] = True


def _post_run_cell(result) -> None:
    shell = _state["shell"]["self"]
    _state["on"] = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if _is_trusted_cell(result.info.raw_cell):
                changed = _restore_libraries()
                if changed:
                    # Student code this cell called changed a library the test then used: the cell fails
                    # (standard error fails an nbgrader test cell) and the report names what changed.
                    _state["stderr"].write(f"{MARK} tampering: {', '.join(changed)} changed while this cell ran\n")
                    _state["stderr"].flush()
                    _report(f"tampering: {', '.join(changed)} changed while this cell ran (the cell fails)")
                _snapshot(shell)
            else:
                restored = _restore_shell(shell)
                if restored:
                    _report("tampering: put back " + ", ".join(restored) + " after this cell ran")
    finally:
        _state["on"] = True


# ------------------------------------------------------------------------------------------------ install
def _current_watch():
    """What watches the calling thread: PyTorch's dispatch and function modes (``forbidden`` blocks, a test's
    counters) and the profile hook, bottom of each stack first."""
    if "torch" not in sys.modules:
        return [], [], sys.getprofile()
    from torch.overrides import _get_current_function_mode_stack
    from torch.utils._python_dispatch import _get_current_dispatch_mode_stack
    return list(_get_current_dispatch_mode_stack()), list(_get_current_function_mode_stack()), sys.getprofile()


def watch_new_threads():
    """Make every thread run under the watch of the code that started it. Modes and profile hooks belong to one
    thread, so without this a kernel on numba's CUDA simulator (one Python thread per GPU thread) would run what
    a test switched off, uncounted. Returns a function that undoes it."""
    import threading
    start, bootstrap = threading.Thread.start, threading.Thread._bootstrap_inner

    def watched_start(self, *args, **kwargs):
        self._aisys_watch = _current_watch()
        self._aisys_student = bool(_state.get("on")) and (_student_on_stack(1) or _started_by_student())
        return start(self, *args, **kwargs)

    def watched_bootstrap(self):
        dispatch, function, profile = getattr(self, "_aisys_watch", None) or ([], [], None)
        if dispatch or function:
            import torch
            for mode in function:
                torch._C._push_on_torch_function_stack(mode)
            for mode in dispatch:
                torch._C._push_on_torch_dispatch_stack(mode)
        if profile is not None:
            sys.setprofile(profile)
        return bootstrap(self)     # the thread ends here: its mode stacks and profile go with it

    threading.Thread.start, threading.Thread._bootstrap_inner = watched_start, watched_bootstrap

    def undo():
        threading.Thread.start, threading.Thread._bootstrap_inner = start, bootstrap
    return undo


def install(config_path: str) -> None:
    """Start watching (once per kernel). ``config_path``: JSON with ``trusted_cells`` (murmur2 hashes of the
    instructor's cell sources, as IPython names their files), ``protected_names`` and ``writable`` folders."""
    if _state:
        return
    from IPython import get_ipython
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    shell = get_ipython()
    cwd = os.path.realpath(os.getcwd())
    _state.update(
        trusted=set(map(str, config["trusted_cells"])), protected=set(config["protected_names"]),
        writable=[os.path.realpath(p) + os.sep for p in config.get("writable", [])] + [cwd + os.sep],
        cell_prefix=_cell_file_prefix(), stdout=sys.stdout, stderr=sys.stderr, busy=False, on=False,
        shell={"self": shell, **{attr: list(getattr(shell, attr)) for attr in _SHELL_LISTS}},
        custom_exceptions=shell.custom_exceptions,
    )
    # Files a student writes into the grading folder must not be importable by later instructor cells.
    sys.path[:] = [p for p in sys.path if p not in ("", ".", cwd)]
    shell.user_ns.update(CHECKED)
    shell.events.register("pre_run_cell", _pre_run_cell)
    shell.events.register("post_run_cell", _post_run_cell)
    _state["shell_attrs"] = set(vars(shell))
    watch_new_threads()
    import _posixsubprocess
    _posixsubprocess.fork_exec = _watched_fork_exec(_posixsubprocess.fork_exec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _snapshot(shell)
    sys.addaudithook(_audit)
    _state["on"] = True
    with open(config_path + ".ok", "w", encoding="utf-8") as f:   # the grader checks this before the first cell
        f.write("installed\n")
