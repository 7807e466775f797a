"""Red team, lab06 Part 2: no loop at all. The four accumulators are four strided running sums computed by
np.nancumsum (sequential in numba, so exactly the rounding of four accumulators), imported under another name
(`from numpy import nancumsum as running_total`); the remainder is appended to lane 0's slice. The same code with
`.cumsum` or `np.trace(np.diag(...))` is refused by name, this one scored 15/15. Either nancumsum is missing from the
list of reductions or the alias hides it (the contract says library functions are forbidden by object identity).
Must score 0 on test_dot_unrolled4. Fixed: the test compares every function dot_unrolled4 names (its syntax tree,
names resolved) and every function numba compiled into it (its typed IR: aliases, closures, helpers) with the
reductions and scans of NumPy, SciPy, math and Python by identity, and refuses objmode and numba extensions
written in the notebook.
"""

KIND = 'lazy: loop-free dot via an aliased library running sum (np.nancumsum)'
BASE = "reference"
FAIL = {'test_dot_unrolled4'}

CELLS = {
    'dot_unrolled4': '''
from numpy import nancumsum as running_total


@njit
def dot_unrolled4(a, b):
    n = a.shape[0]
    n4 = n - n % 4
    p = a * b
    z = np.zeros(1)
    s0 = running_total(np.concatenate((z, p[0:n4:4], p[n4:])))[-1]
    s1 = running_total(np.concatenate((z, p[1:n4:4])))[-1]
    s2 = running_total(np.concatenate((z, p[2:n4:4])))[-1]
    s3 = running_total(np.concatenate((z, p[3:n4:4])))[-1]
    return (s0 + s1) + (s2 + s3)
''',
}
