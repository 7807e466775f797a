"""A probe tried on every lab: every function and class an answer cell defines is replaced by one that returns
an object equal to everything (its comparisons always succeed, arithmetic returns itself, any attribute and call
gives another such object). It does none of the lab's work, so it must score zero: a test that trusts ``==``,
``<`` or ``bool()`` on what the student returned, instead of checking the type and value itself, is caught here.
"""
import ast

KIND = "answers that return an object equal to everything"
BASE = "release"
EXPECT = "zero"

YES = '''
class _Yes:
    """Equal to everything, smaller and larger than everything, true, and closed under arithmetic."""
    def __init__(self, *args, **kwargs):
        pass
    def __getattr__(self, name):
        return _Yes()
    def __call__(self, *args, **kwargs):
        return _Yes()
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __lt__(self, other):
        return True
    def __le__(self, other):
        return True
    def __gt__(self, other):
        return True
    def __ge__(self, other):
        return True
    def __bool__(self):
        return True
    def __hash__(self):
        return 0
    def __len__(self):
        return 0
    def __iter__(self):
        return iter(())
    def __getitem__(self, key):
        return _Yes()
    def __float__(self):
        return 0.0
    def __int__(self):
        return 0
    def __index__(self):
        return 0
    def __abs__(self):
        return _Yes()
    def __neg__(self):
        return _Yes()
    def __add__(self, other):
        return _Yes()
    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__
    __matmul__ = __rmatmul__ = __pow__ = __rpow__ = __floordiv__ = __mod__ = __add__
'''


def answer_names(source: str) -> tuple[list[str], list[str]]:
    tree = ast.parse(source)
    functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    return functions, classes


def cells(lab: str, release: dict) -> dict:
    """CELLS for ``release``: each answer cell defines its names as always-equal stand-ins."""
    found, first = {}, True
    for cell in release["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if not meta.get("solution"):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        functions, classes = answer_names(source)
        lines = [YES] if first else []
        first = False
        lines += [f"def {name}(*args, **kwargs):\n    return _Yes()\n" for name in functions]
        lines += [f"class {name}(_Yes):\n    pass\n" for name in classes]
        found[meta["grade_id"]] = "\n".join(lines) or "pass\n"
    return found
