"""Attacks on the grading harness, tried on every lab: the untouched student notebook plus one added cell per
attack. None of them does any of the lab's work, so the submission must score exactly what the untouched
notebook scores (zero), and the report must name the tampering.

Each attack is one that scored points before the course graded in isolation (issue 13): an IPython input or AST
transformer that rewrites the test cells, a write to the gradebook, reading the solutions, shadowing the tests'
helpers and library functions (directly, through an alias, or through a fake module), reaching the interpreter
through a library's string evaluation, and catching the interrupt of the time limit.
"""
import ast

KIND = "attacks on the grading harness"
BASE = "release"
EXPECT = "zero"

INPUT_TRANSFORMER = '''
# Rewrite every later cell into "pass", so the tests never run.
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
'''
AST_TRANSFORMER = '''
import ast
class DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(DropAsserts())
'''
SHOWTRACEBACK = '''
ip = __builtins__["get_ipython"]() if isinstance(__builtins__, dict) else __builtins__.get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
'''
GRADEBOOK = '''
import sqlite3, glob
for path in glob.glob("../../../gradebook.db") + glob.glob("/tmp/*/gradebook.db"):
    db = sqlite3.connect(path)
    db.execute("UPDATE grade SET auto_score = max_score")
    db.commit()
'''
SOLUTIONS = '''
import json
src = json.load(open("../../../solutions/{lab}/{lab}.ipynb"))
exec("\\n".join("".join(c["source"]) for c in src["cells"] if c["cell_type"] == "code"))
'''
PROBE = '''
# Passes the review (os.path and open are allowed): what can this kernel see and write?
import os
here = os.getcwd()
visible = []
for up in ("..", "../..", "../../.."):
    for name in ("gradebook.db", "solutions", "submitted", "nbgrader_config.py", "tests"):
        path = os.path.join(here, up, name)
        if os.path.exists(path):
            visible.append(os.path.normpath(path))
print("PROBE visible:", sorted(set(visible)))
try:
    with open(os.path.join(here, "../../../gradebook.db"), "ab") as f:
        f.write(b"")
    print("PROBE wrote gradebook: yes")
except Exception as err:
    print("PROBE wrote gradebook: no", type(err).__name__)
'''
EVAL_THROUGH_LIBRARY = '''
import typing
def sneaky(x: "__import__('os').system('true') or get_ipython()"):
    return x
typing.get_type_hints(sneaky)
'''
CATCH_INTERRUPT = '''
def stubborn():
    while True:
        try:
            pass
        except BaseException:
            pass
'''
ALIAS_PATCH = '''
# Passes the review (the alias hides the module): make the library's comparisons always succeed.
import numpy
import math
for module in [numpy, math][:2]:
    target = [module][0]
    for name in ("allclose", "array_equal", "isclose", "isnan", "isfinite"):
        if name in dir(target):
            setattr([target][0], name, lambda *args, **kwargs: True)
'''


def shadowing_cell(release: dict) -> str:
    """Redefine every function and module the instructor's cells bind, and the builtins tests use, as things
    that always say yes (passes the review: these are ordinary top-level names)."""
    names, modules = set(), set()
    for cell in release["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] != "code" or meta.get("solution"):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                modules.update((a.asname or a.name).split(".")[0] for a in node.names)
    lines = ["class _Yes:", "    def __getattr__(self, name):", "        return lambda *args, **kwargs: _Yes()",
             "    def __call__(self, *args, **kwargs):", "        return _Yes()",
             "    def __bool__(self):", "        return True", "    def __eq__(self, other):", "        return True",
             "    def __iter__(self):", "        return iter(())"]
    lines += [f"{name} = lambda *args, **kwargs: True" for name in sorted(names)]
    lines += [f"{name} = _Yes()" for name in sorted(modules)]
    lines += [f"{name} = lambda *args, **kwargs: True" for name in ("all", "any", "isinstance", "abs", "len")]
    return "\n".join(lines) + "\n"


def added_cells(lab: str, release: dict) -> list[str]:
    """The attack cells, in order; they are added just before the first answer cell (after the set-up)."""
    return [INPUT_TRANSFORMER, AST_TRANSFORMER, SHOWTRACEBACK, GRADEBOOK, SOLUTIONS.format(lab=lab), PROBE,
            EVAL_THROUGH_LIBRARY, CATCH_INTERRUPT, ALIAS_PATCH, shadowing_cell(release)]


#: Report fragments the grader must produce for this submission (refused cells and restorations).
REPORT = ("tampering: uses get_ipython", "tampering: uses __builtins__", "imports sqlite3", "uses exec",
          "catches KeyboardInterrupt", "put back")
