"""Unit tests of aisys.grading: the review of student cells, the forbidden-routine switch, the kernel watch
(in a real, isolated grading kernel), feedback without hidden tests, and the notebook rebuild."""
import json
import struct

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from aisys.grading import policy
from aisys.grading.autograde import KEY, HideHiddenTests, IsolatedExecute, bubblewrap, cell_hash, rebuild
from aisys.grading.forbid import ForbiddenCallError, forbidden, refers_to, source_uses

ENV_SOURCE = "import numpy as np\nimport torch\nimport torch.nn.functional as F\nimport math\nfrom torch import fx\n"


@pytest.fixture(scope="module")
def env():
    return policy.module_environment([ENV_SOURCE])


def problems(source, env):
    return [str(v) for v in policy.review_source(source, dict(env))]


REFUSED = {
    "input transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: [])",
    "builtins dict": "__builtins__['get_ipython']()",
    "gradebook": "import sqlite3\nsqlite3.connect('gradebook.db')",
    "patch numpy": "np.allclose = lambda *a, **k: True",
    "patch through alias": "m = np\nm.allclose = 1",
    "setattr on module": "setattr(F, 'conv2d', None)",
    "computed getattr on module": "getattr(np, 'all' + 'close')",
    "private torch": "torch._C._nn.im2col",
    "sys.modules": "import sys\nsys.modules['numpy']",
    "sys through torch": "torch.sys.modules",
    "os.system": "from os import system",
    "function globals": "def f():\n    pass\nf.__globals__['x'] = 1",
    "subclasses": "().__class__.__bases__[0].__subclasses__()",
    "frames": "def g(e):\n    return e.__traceback__.tb_frame.f_back",
    "library class": "torch.Tensor.add = None",
    "exec": "exec('x = 1')",
    "vars": "vars(np)",
    "pickle": "np.load('x.npy', allow_pickle=True)",
    "attribute path in a string": "import string\nstring.Formatter().get_field('0.__globals__', (f,), {})",
    "raw pointer": "a = np.zeros(3)\na.ctypes.data",
    "inspect": "import inspect",
    "the grader": "from aisys.grading import forbid",
    "numpy.core": "from numpy import core",
    "pip": "%pip install foo",
    "shell": "!ls",
    "timeit of a refused statement": "%timeit get_ipython()",
    "bare except": "try:\n    pass\nexcept:\n    pass",
    "IPython history": "print(In[-1])",
    "private attribute by a match pattern": "match np:\n    case object(_private=state):\n        pass",
    "dunder by a match pattern": "def f():\n    pass\nmatch f:\n    case object(__globals__=g):\n        pass",
}
ALLOWED = {
    "numpy work": "def f(x):\n    return np.einsum('ij,jk->ik', x, x) + np.lib.stride_tricks.sliding_window_view(x, 2).sum()",
    "module-named parameter": "def f(np):\n    np.x = 1\n    return np",
    "own classes": "class A(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n        self._w = 1\n"
                   "    def __add__(self, other):\n        return self._w\nA.count = 0\na = A()\na.y = 2",
    "number limits": "import sys\nbig = sys.float_info.max",
    "os.path": "import os\nos.path.join('a', 'b')",
    "numba": "from numba import njit, prange\n@njit\ndef f(x):\n    return x",
    "fx pass": "def p(gm):\n    for n in list(gm.graph.nodes):\n        if n.op == 'call_function' and n.target is torch.relu:\n"
               "            gm.graph.erase_node(n)\n    gm.recompile()\n    setattr(gm, 'w', torch.ones(1))\n    return gm",
    "timeit": "%timeit -n 3 sum(range(10))",
    "early-bound library function": "_conv = F.conv2d",
    "dataclass": "from dataclasses import dataclass\n@dataclass\nclass P:\n    a: int = 1",
    "catch Exception": "try:\n    pass\nexcept Exception:\n    pass",
    "match on public attributes": "match (1, 2):\n    case tuple() if len((1, 2)) == 2:\n        pass\n"
                                  "match 1.5:\n    case float(real=r):\n        pass",
}


@pytest.mark.parametrize("name", REFUSED)
def test_review_refuses(name, env):
    assert problems(REFUSED[name], env), f"{name} should be refused"


@pytest.mark.parametrize("name", ALLOWED)
def test_review_allows(name, env):
    assert problems(ALLOWED[name], env) == []


def test_review_names_the_line_and_kind(env):
    [found] = policy.review_source("x = 1\nnp.allclose = None\n", dict(env))
    assert found.line == 2 and found.tampering and "numpy.allclose" in str(found)
    [found] = policy.review_source("%pip install x", dict(env))
    assert not found.tampering and str(found).startswith("not allowed")


def test_protected_names_are_what_tests_read():
    setup = "import numpy as np\nFORBIDDEN = ('view',)\ndef helper(x):\n    return check(x)\ndef check(x):\n    return x in FORBIDDEN\n"
    answer = "def solve(x):\n    return x\n"
    test = "assert helper(solve(1)) is False\nassert abs(-1) == 1\nlocal = 3\nassert local == 3\n"
    protected = policy.protected_names([setup, test], [test], [answer])
    assert {"helper", "check", "FORBIDDEN", "abs"} <= protected
    assert "solve" not in protected and "local" not in protected


def test_forbidden_catches_aliases_and_early_bound_copies():
    early_correlate, early_unfold = np.correlate, F.unfold
    x = torch.randn(1, 1, 5, 5)
    calls = [lambda: early_correlate([1, 2, 3], [1, 1]), lambda: early_unfold(x, 3),
             lambda: torch.ops.aten.im2col(x, [3, 3], [1, 1], [0, 0], [1, 1]),
             lambda: torch.convolution(x, torch.ones(1, 1, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1)]
    for call in calls:
        with pytest.raises(ForbiddenCallError, match="switched off"):
            with forbidden(np.correlate, "aten::im2col", "aten::convolution", because="do it yourself"):
                call()
    assert early_correlate([1, 2, 3], [1, 1]).tolist() == [3, 5]   # restored afterwards
    with forbidden(np.correlate, "aten::convolution"):
        assert float((x * 2).sum()) == pytest.approx(float(x.sum()) * 2)   # other work runs


def test_forbidden_builtins_cannot_be_dodged_by_catching_the_error():
    with pytest.raises(ForbiddenCallError, match="unpack"):
        with forbidden(struct.unpack, np.ndarray.view):
            try:
                struct.unpack("f", b"\0\0\0\0")
            except Exception:
                pass
            struct.unpack("f", b"\0\0\0\0")
    with forbidden(struct.unpack, np.ndarray.view):
        np.zeros(3).sum()


def test_forbidden_refuses_the_methods_of_a_ufunc_by_whatever_name():
    a = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 0.0]])
    early_reduce, table = np.logaddexp.reduce, {"lse": np.logaddexp}
    calls = {"reduce": lambda: early_reduce(a, axis=1), "accumulate": lambda: table["lse"].accumulate(a, axis=1),
             "outer": lambda: np.logaddexp.outer(a[0], a[1]), "at": lambda: np.logaddexp.at(a.copy(), [0], 1.0),
             "reduceat": lambda: np.logaddexp.reduceat(a[0], [0, 2]),
             "along an axis": lambda: np.apply_along_axis(np.logaddexp.reduce, 1, a)}
    for name, call in calls.items():
        with pytest.raises(ForbiddenCallError, match=r"logaddexp\.\w+ called.*subtract the maximum"):
            with forbidden(np.logaddexp, because="subtract the maximum"):
                try:                     # catching the error gains nothing: the block fails when it ends
                    call()
                except Exception:
                    pass
    with pytest.raises(ForbiddenCallError, match="logaddexp2.reduce"):    # blocks nest: the outer one still sees
        with forbidden(np.logaddexp2):
            with forbidden(np.logaddexp):
                np.logaddexp2.reduce(a[0])
    import functools
    early = np.logaddexp
    with pytest.raises(ForbiddenCallError, match="logaddexp called"):     # a name looked up in the block
        with forbidden(np.logaddexp):
            functools.reduce(getattr(np, "logadd" + "exp"), a[0])
    with forbidden(np.logaddexp, np.logaddexp2):
        total, _ = np.add.reduce(a, axis=1), np.sum(a)          # other ufuncs' methods run
        early(a[0], a[1])    # a direct call of a reference taken before is not seen (check_source / refers_to are)
    assert np.logaddexp is early and np.logaddexp2.__class__ is np.ufunc     # put back when the block ends
    assert np.allclose(total, [6.0, 2001.0]) and np.allclose(early_reduce(a[0]), np.log(np.exp(a[0]).sum()))


def test_refers_to_follows_the_values_a_function_reaches(tmp_path):
    module = tmp_path / "student_lse.py"
    module.write_text(
        "import functools\nimport numpy as np\n"
        "_STABLE = {'lse': np.logaddexp}\n_reduce = functools.partial(np.logaddexp.reduce, axis=1)\n"
        "_alias = np.logaddexp2\n"
        "class Helper:\n    def __init__(self):\n        self.fn = [np.logaddexp.accumulate]\n"
        "    def lse(self, z):\n        return self.fn[0](z)[-1]\n"
        "_helper = Helper()\n"
        "def in_a_dict(z):\n    return _STABLE['lse'].reduce(z)\n"
        "def in_a_partial(z):\n    return _reduce(z)\n"
        "def through_a_lambda(z):\n    return (lambda: _alias.reduce(z))()\n"
        "def by_default(z, f=np.logaddexp):\n    return f.reduce(z)\n"
        "def make_closure():\n    f = np.logaddexp\n    def inner(z):\n        return f.reduce(z)\n    return inner\n"
        "in_a_closure = make_closure()\n"
        "def in_an_instance(z):\n    return _helper.lse(z)\n"
        "def calls_a_helper(z):\n    return in_a_dict(z)\n"
        "def honest(z):\n    m = z.max()\n    return m + np.log(np.exp(z - m).sum())\n"
        "reduce = np.logaddexp.reduce\n"
        "def attribute_named_like_a_global(z):\n    return np.add.reduce(z)\n")
    namespace = {"__name__": "__main__"}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    lse = (np.logaddexp, np.logaddexp2)
    for name in ("in_a_dict", "in_a_partial", "through_a_lambda", "by_default", "in_a_closure", "in_an_instance",
                 "calls_a_helper"):
        found = refers_to(namespace[name], lse)
        assert found and all("logaddexp" in f for f in found), (name, found)
    assert any("_STABLE" in f for f in refers_to(namespace["in_a_dict"], lse))
    assert refers_to(namespace["honest"], lse) == []
    assert refers_to(namespace["attribute_named_like_a_global"], lse) == []    # .reduce is not the global reduce


def test_notebook_code_is_known_by_its_namespace_not_its_name(tmp_path, monkeypatch):
    """A cell may rebind __name__ (or set a class's __module__): its functions are still the notebook's."""
    import sys
    import types
    module = tmp_path / "student_renamed.py"
    module.write_text("import numpy as np\n__name__ = 'numpy'\n_KEEP = [np.logaddexp]\n"
                      "def helper(z):\n    return np.logaddexp.reduce(z)\n"
                      "class Engine:\n    __module__ = 'numpy'\n    def lse(self, z):\n        return _KEEP[0].reduce(z)\n"
                      "def answer(z):\n    return helper(z) + Engine().lse(z)\n")
    main = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", main)
    exec(compile(module.read_text(), str(module), "exec"), main.__dict__)
    assert main.answer.__module__ == "numpy" and main.Engine.__module__ == "numpy"
    assert any("helper" in use for use in source_uses(main.answer, objects=[np.logaddexp]))
    assert any("_KEEP" in found for found in refers_to(main.answer, [np.logaddexp]))


def test_source_uses_reads_a_lambda_inside_a_bigger_expression(tmp_path):
    module = tmp_path / "student_rules.py"
    module.write_text("import numpy as np\nRULES = {\n    'sin': (np.sin, lambda a: np.cos(a).view()),\n"
                      "    'exp': (np.exp, lambda a: np.exp(a)),\n}\n")
    namespace = {"__name__": "__main__"}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    cos_rule, exp_rule = namespace["RULES"]["sin"][1], namespace["RULES"]["exp"][1]
    assert any(".view" in use for use in source_uses(cos_rule, attributes={"view"}))
    assert source_uses(exp_rule, attributes={"view"}) == []


def test_forbidden_rejects_what_it_cannot_switch_off():
    with pytest.raises(ValueError, match="cannot switch off"):
        with forbidden(42):
            pass


def test_source_uses_reads_the_tree_and_follows_calls(tmp_path):
    module = tmp_path / "student_code.py"
    module.write_text(
        "import numpy as np\n"
        "def helper(b):\n    return np.array(b).view(np.float32)\n"
        "def answer(b):\n    '''reconstruct the value; no astype here'''\n    reconstruct = b  # astype in a comment\n"
        "    return helper(reconstruct)\n"
        "def honest(b):\n    reconstruct = b\n    return reconstruct * 2\n")
    namespace = {"__name__": "__main__"}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    used = source_uses(namespace["answer"], attributes={"view", "astype"})
    assert len(used) == 1 and "helper" in used[0] and ".view" in used[0]
    assert source_uses(namespace["honest"], attributes={"view", "astype"}) == []


# ------------------------------------------------------------------------------------------- the kernel watch
def run_notebook(instructor_and_student, protected, tmp_path):
    cells, trusted = [], []
    for author, source in instructor_and_student:
        if author == "instructor":
            cells.append(new_code_cell(source))
            trusted.append(cell_hash(source))
        else:
            cells.append(new_code_cell(source, metadata={KEY: {"author": "student"}}))
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nb.metadata[KEY] = {"trusted_cells": trusted, "protected_names": protected}
    work = tmp_path / "work"
    work.mkdir()
    nb, _ = IsolatedExecute(timeout=60).preprocess(nb, {"metadata": {"path": str(work)}})
    return nb


def outputs(cell):
    return "".join(o.get("text", "") + o.get("ename", "") + ": " + o.get("evalue", "") for o in cell.outputs)


def test_watch_puts_back_what_tests_rely_on_and_refuses_reflection(tmp_path):
    setup = "import numpy as np\nimport torch\ndef helper(x):\n    return x + 1\n"
    test = ("assert helper(1) == 2\nassert not np.allclose([1], [2])\nassert abs(-3) == 3\n"
            "assert float(torch.ones(3).sum()) == 3.0\nprint('test ran')")
    nb = run_notebook([
        ("instructor", setup),
        ("student", "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"),
        ("student", "def helper(x):\n    return 42\nabs = lambda x: 0\nm = [np][0]\nm.allclose = lambda *a, **k: True"),
        ("student", "torch.Tensor.sum = lambda self: 0"),
        ("student", "import sys\nsys._getframe()"),
        ("student", "getattr([np][0], '__dict__')"),
        ("student", "setattr([np][0], 'isclose', None)"),
        ("student", "open('/tmp/outside.txt', 'w')"),
        ("student", "with open('inside.txt', 'w') as f:\n    f.write('fine')"),
        ("student", "import typing\ndef f(x: \"__import__('os')\"):\n    pass\ntyping.get_type_hints(f)"),
        ("student", "from dataclasses import dataclass\n@dataclass(frozen=True)\nclass P:\n    a: int = 1\nprint(P(2))"),
        ("instructor", test),
    ], ["np", "torch", "helper", "abs", "AssertionError", "float", "print"], tmp_path)
    cells = nb.cells
    assert "put back the shell's input_transformers_cleanup" in outputs(cells[1])
    for index, what in [(2, "changes numpy.allclose"), (4, "sys._getframe"), (5, "__dict__"),
                        (6, "changes numpy.isclose"), (7, "writes /tmp/outside.txt"),
                        (9, "code compiled at run time uses __import__")]:
        assert "GradingPolicyError" in outputs(cells[index]) and what in outputs(cells[index]), (index, outputs(cells[index]))
    assert "GradingPolicyError" not in outputs(cells[8]) and "P(a=2)" in outputs(cells[10])
    final = outputs(cells[-1])
    assert "test ran" in final and "Error" not in final, final
    assert "the global helper" in final and "the builtin abs" in final and "torch.Tensor.sum" in final
    assert nb.metadata[KEY]["isolation"].startswith("isolated" if bubblewrap() else "NOT ISOLATED")


@pytest.mark.skipif(not bubblewrap(), reason="bubblewrap is not available here")
def test_isolated_kernel_sees_only_its_folder(tmp_path):
    secret = tmp_path / "course" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("secret")
    probe = (f"import os\nprint('SEEN', os.path.exists({str(secret)!r}), os.path.exists('/root'), os.listdir('/tmp'))\n")
    nb = run_notebook([("instructor", "x = 1"), ("student", probe)], [], tmp_path)
    text = outputs(nb.cells[1])
    assert "SEEN False" in text, text


# ------------------------------------------------------------------------------------------- rebuild, feedback
def test_rebuild_restores_instructor_cells_and_keeps_added_cells_in_place():
    template = [new_markdown_cell("# Lab"),
                new_code_cell("import numpy as np", metadata={"nbgrader": {"grade_id": "setup", "locked": True}}),
                new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                              metadata={"nbgrader": {"grade_id": "f", "solution": True}}),
                new_code_cell("assert f() == 1", metadata={"nbgrader": {"grade_id": "test_f", "grade": True, "locked": True}})]
    submitted = [new_markdown_cell("# Lab"),
                 new_code_cell("import numpy as np\ndef same(*a):\n    return True", metadata={}),   # setup, metadata stripped
                 new_code_cell("def f():\n    return 2", metadata={"nbgrader": {"grade_id": "f", "solution": True}}),
                 new_code_cell("print('scratch')")]                                                   # test cell deleted
    locked = {"setup": "import numpy as np", "test_f": "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f()\n### END HIDDEN TESTS"}
    cells, notes = rebuild(submitted, template, locked.get)
    sources = [c.source for c in cells]
    # the set-up with its metadata stripped is the student's cell (it runs where it was); the real set-up is restored
    assert sources == ["# Lab", "import numpy as np\ndef same(*a):\n    return True", "import numpy as np",
                       "def f():\n    return 2", "print('scratch')", locked["test_f"]]
    assert cells[1].metadata[KEY] == {"author": "student", "added": True}
    assert cells[3].metadata[KEY] == {"author": "student"} and KEY not in cells[2].metadata
    assert any("test_f was deleted" in n for n in notes)


def test_feedback_hides_hidden_tests():
    cell = new_code_cell("assert f() == 1, 'visible'\n### BEGIN HIDDEN TESTS\nassert f(2) == 4, 'secret check'\n"
                         "### END HIDDEN TESTS", metadata={"nbgrader": {"grade": True, "grade_id": "t", "points": 5}})
    cell.outputs = [{"output_type": "error", "ename": "AssertionError", "evalue": "secret check",
                     "traceback": ["----> 3 assert f(2) == 4, 'secret check'"]}]
    nb = new_notebook(cells=[cell], metadata={KEY: {"isolation": "isolated", "protected_names": ["x"]}})
    nb, _ = HideHiddenTests().preprocess(nb, {})
    text = json.dumps(nb)
    assert "f(2) == 4" not in text and "assert f() == 1" in text and "protected_names" not in text
    assert nb.cells[0].outputs[0]["traceback"] == ["AssertionError: secret check"]


def test_review_refuses_global_statements_naming_what_tests_read(env):
    source = "def solve(x):\n    global helper\n    helper = lambda *a: True\n    return x\n"
    assert "declares global helper" in " ".join(str(v) for v in policy.review_source(source, dict(env), {"helper"}))
    assert policy.review_source("def f():\n    global mine\n    mine = 1\n", dict(env), {"helper"}) == []


def test_protected_names_keep_instructor_names_even_if_an_answer_binds_them():
    setup = "import torch\ndef count(gm):\n    return 1\n"
    test = "assert count(1) == 1\nassert torch.allclose(torch.ones(1), torch.ones(1))\n"
    answer = "import torch\ndef count(gm):\n    return 4\ndef mine():\n    pass\n"
    assert {"count", "torch"} <= policy.protected_names([setup, test], [test], [answer])


def test_rebuilding_the_reference_notes_nothing():
    import course
    for lab in course.lab_names():
        cells = course.read(course.solution_notebook(lab))["cells"]
        sources = {c["metadata"]["nbgrader"]["grade_id"]: course.source(c) for c in cells if "nbgrader" in c["metadata"]}
        _, notes = rebuild(cells, cells, sources.get)
        assert notes == [], (lab, notes)


def test_watch_fails_a_test_cell_during_which_student_code_patched_a_library(tmp_path):
    setup = "import numpy as np\nimport torch\n"
    student = ("def sneaky_module(x):\n    [np][0].allclose = lambda *a, **k: True\n    return x\n"
               "def sneaky_class(x):\n    [torch.Tensor][0].abs = lambda self: torch.zeros(())\n    return x\n")
    test_module = "y = sneaky_module(1)\nprint('after module patch')"
    test_class = "y = sneaky_class(torch.ones(2))\nassert float((y - 5).abs().max()) == 0.0\nprint('after class patch')"
    test_later = "assert float((torch.ones(2) - 5).abs().max()) == 4.0\nassert not np.allclose([1], [2])\nprint('later ok')"
    nb = run_notebook([("instructor", setup), ("student", student), ("instructor", test_module),
                       ("instructor", test_class), ("instructor", test_later)], ["np", "torch", "float"], tmp_path)
    module_cell, class_cell, later = (outputs(c) for c in nb.cells[2:5])
    assert "GradingPolicyError" in module_cell and "changes numpy.allclose" in module_cell
    errors = [o for o in nb.cells[3].outputs if o.get("name") == "stderr"]
    assert "after class patch" in class_cell and errors and "torch.Tensor.abs changed while this cell ran" in errors[0]["text"]
    assert "later ok" in later and "Error" not in later


def test_watch_does_not_mistake_errors_or_plots_for_tampering(tmp_path):
    setup = "import sys\nimport warnings\nimport numpy as np\n"
    test = "assert sys.float_info.max > 1\nprint('test ran')"
    nb = run_notebook([("instructor", setup), ("student", "1 / 0"), ("instructor", test),
                       ("student", "[][1]"), ("student", "import matplotlib.pyplot as plt\nplt.plot([1, 2])"),
                       ("instructor", test + "\n"), ("instructor", "raise ValueError('an instructor cell fails')"),
                       ("instructor", test + "\n\n")], ["sys", "warnings", "np", "print"], tmp_path)
    text = "".join(outputs(c) for c in nb.cells)
    assert "tampering" not in text, text
    assert text.count("test ran") == 3


def test_watch_accepts_ipython_wrapping_pyplot_at_the_first_figure(tmp_path):
    """IPython wraps pyplot.draw_if_interactive (flag_calls) when the first figure starts the backend; the watch
    takes that for what it is, while a student's own replacement of it is still put back."""
    setup = "import matplotlib.pyplot as plt\n"
    test = "assert callable(plt.draw_if_interactive)\nprint('test ran')"
    nb = run_notebook([("instructor", setup), ("student", "plt.plot([1, 2])\nplt.show()"), ("instructor", test),
                       ("student", "plt.figure()\nplt.close('all')"), ("instructor", test + "\n"),
                       ("student", "plt.draw_if_interactive = lambda: None"), ("instructor", test + "\n\n")],
                      ["plt", "print", "callable"], tmp_path)
    before = "".join(outputs(c) for c in nb.cells[:5])
    assert "tampering" not in before and before.count("test ran") == 2, before
    assert "draw_if_interactive" in outputs(nb.cells[5]) + outputs(nb.cells[6])


def test_watch_refuses_processes_that_student_code_starts(tmp_path):
    """A process runs outside every switch-off and counter of a test: student code may not start one, directly, through
    a library or from a thread it started; instructor code and the course's rank launcher may."""
    setup = "import multiprocessing, threading\nimport aisys.dist as adist\n"
    nb = run_notebook([
        ("instructor", setup),
        ("student", "pool = multiprocessing.get_context('fork').Pool(1)"),
        ("student", "p = multiprocessing.get_context('spawn').Process(target=print)\np.start()"),
        ("student", "started = []\ndef later():\n    multiprocessing.get_context('fork').Process(target=print).start()\n"
                    "    started.append(1)\nt = threading.Thread(target=later)\nt.start()\nt.join()\n"
                    "print('started', len(started))"),
        ("student", "def rank_sum(x):\n    return x + 1\nprint('ranks', adist.run(rank_sum, 2, 1))"),
        ("instructor", "r = multiprocessing.get_context('fork').Process(target=print)\nr.start()\nr.join()\n"
                       "print('instructor exit code', r.exitcode)"),
    ], ["multiprocessing", "threading", "adist", "print"], tmp_path)
    for index in (1, 2):
        assert "GradingPolicyError" in outputs(nb.cells[index]) and "starts a process" in outputs(nb.cells[index]), (
            index, outputs(nb.cells[index]))
    assert "started 0" in outputs(nb.cells[3]) and "starts a process" in outputs(nb.cells[3]), outputs(nb.cells[3])
    assert "ranks [2, 2]" in outputs(nb.cells[4]), outputs(nb.cells[4])
    assert "instructor exit code 0" in outputs(nb.cells[5]), outputs(nb.cells[5])


def test_watch_checks_reads_of_sys_os_and_the_course_modules_however_reached(tmp_path):
    """sys.modules holds every module, the guard's own state included: reached through another module
    (getattr(plt, "sys")), an alias in a function or a lambda, it must be refused at run time, as the source review
    refuses sys.modules; so must private state of aisys modules and anything of the grading package."""
    setup = ("import sys, os\nimport numpy as np\nimport matplotlib.pyplot as plt\nimport aisys.grading.forbid as fb\n"
             "import aisys.dist as adist\n")
    nb = run_notebook([
        ("instructor", setup),
        ("student", "s = getattr(plt, 'sys')\ns.modules['aisys.grading.guard']._state['cell_prefix'] = '/nowhere/'"),
        ("student", "def f():\n    alias = sys\n    return alias.modules\nf()"),
        ("student", "(lambda: [os][0])().environ"),
        ("student", "[fb][0].forbidden"),
        ("student", "[adist][0]._launch"),
        ("student", "print('fine', sys.float_info.max > 1, os.path.join('a', 'b'), adist.run.__name__)"),
        ("student", "sys._getframe()"),
        ("instructor", "print('instructor', len(sys.modules) > 10, fb.forbidden.__name__)"),
        # importlib makes new modules as type(sys)(name): they must stay plain modules, private names and all
        ("student", "import colorsys\nprint('plain', type(colorsys).__name__, np.ones(3).any())"),
        # checking os.path must not import libraries the notebook never loaded
        ("student", "print(os.path.join('a', 'b'))"),
        ("instructor", "print('numba loaded', 'numba' in sys.modules)"),
    ], ["sys", "os", "np", "plt", "fb", "adist", "print"], tmp_path)
    for index, what in [(1, "sys.modules"), (2, "sys.modules"), (3, "os.environ"), (4, "grading machinery"),
                        (5, "private internals of aisys.dist"), (7, "sys._getframe")]:
        assert "GradingPolicyError" in outputs(nb.cells[index]) and what in outputs(nb.cells[index]), (
            index, outputs(nb.cells[index]))
    assert "fine True a/b run" in outputs(nb.cells[6]), outputs(nb.cells[6])
    assert "instructor True forbidden" in outputs(nb.cells[8]), outputs(nb.cells[8])
    assert "plain module True" in outputs(nb.cells[9]), outputs(nb.cells[9])
    assert "numba loaded False" in outputs(nb.cells[11]), outputs(nb.cells[11])


def test_review_refuses_changing_what_the_tests_read(env):
    protected = {"Graph", "KERNELS"}
    for source in ("Graph.add = lambda *a: 1", "KERNELS['add'] = None", "setattr(Graph, 'x', 1)"):
        assert policy.review_source(source, dict(env), protected), source
    for source in ("def f(Graph):\n    Graph.x = 1", "g = Graph()\ng.x = 1", "x = KERNELS['add']"):
        assert policy.review_source(source, dict(env), protected) == [], source


def test_names_only_tests_define_are_not_for_student_functions():
    test = "expected = 3\nassert f() == expected"
    assert policy.names_only_tests_bind(["x = 1", test], [test], ["def f():\n    return 3"]) == {"expected"}
    assert policy.names_read_when_called("TILE = 4\ndef f(x):\n    return TILE * x + expected\nz = expected") \
        == {"TILE", "expected"}
    # a lambda or comprehension inside a function reads the function's locals (found in lab11's reference)
    nested = "def plan(order):\n    live = span(order)\n    return sorted(order, key=lambda n: live[n]) + [live[n] for n in order]"
    assert policy.names_read_when_called(nested) == {"span", "sorted"}
    assert policy.names_read_when_called("def f():\n    global seen\n    seen = 1\n    return [seen + expected for _ in 'ab']") \
        == {"seen", "expected"}


def test_watch_restores_instructor_containers_and_classes(tmp_path):
    setup = "KERNELS = {'add': 1}\nclass Graph:\n    def size(self):\n        return 1\n"
    test = "assert KERNELS == {'add': 1} and Graph().size() == 1\nprint('test ran')"
    nb = run_notebook([("instructor", setup), ("student", "KERNELS.update(add=2)\n[Graph][0].size = lambda self: 5"),
                       ("instructor", test)], ["KERNELS", "Graph", "print"], tmp_path)
    final = outputs(nb.cells[-1])
    assert "test ran" in final and "contents of KERNELS" in final and "Graph.size" in final, final


def test_source_uses_skips_methods_python_generated(tmp_path):
    module = tmp_path / "student_dc.py"
    module.write_text("from dataclasses import dataclass\n@dataclass\nclass Point:\n    x: int = 0\n"
                      "    def norm(self):\n        return abs(self.x)\n"
                      "def answer(v):\n    return Point(v).norm()\n")
    namespace = {"__name__": "__main__"}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    assert source_uses(namespace["answer"], attributes={"view"}) == []


def test_threads_run_under_the_watch_of_the_code_that_started_them():
    """numba's CUDA simulator runs each GPU thread as a Python thread: what a test switched off (dispatch modes,
    profile hooks) must stay off there."""
    import threading
    import torch
    from aisys.grading import guard
    from aisys.grading.forbid import ForbiddenCallError, forbidden

    def in_a_thread(fn):
        out = {}

        def body():
            try:
                out["value"] = fn()
            except Exception as err:       # noqa: BLE001 - reported to the caller
                out["error"] = err
        thread = threading.Thread(target=body)
        thread.start()
        thread.join()
        return out

    undo = guard.watch_new_threads()
    try:
        with forbidden("aten::mul"):
            assert isinstance(in_a_thread(lambda: torch.ones(2) * 3).get("error"), ForbiddenCallError)
        with pytest.raises(ForbiddenCallError, match="quantize_per_tensor"):
            with forbidden(torch.quantize_per_tensor):
                in_a_thread(lambda: torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.qint32))
        assert torch.equal(in_a_thread(lambda: torch.ones(2) * 3)["value"], torch.full((2,), 3.0))
    finally:
        undo()
