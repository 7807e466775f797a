"""Red team: with the guard blinded (as in redteam_blind_guard), decode_e4m3 has a child process compute the whole
E4M3 table with ml_dtypes (os.popen of the same Python), then looks it up.

Shows that the blinded guard no longer refuses starting processes (the event that protects labs 12-13's counters):
os is reached as sys.modules["os"] (the policy's os allowlist binds only `os.x` on a resolvable name) and
os.popen / os.system raise audit events that the guard now attributes to no student.

Checked with course.py check (release base, other parts unanswered): 10/100, decode_e4m3 full. Control (same file
without the blinding cell): 0/100, "GradingPolicyError: not allowed when grading: starts a process
(subprocess.Popen)". Should score 0. Fix idea: as redteam_blind_guard (the guard's state must not be reachable or
editable from student code; check its integrity before every instructor cell and fail the notebook if it changed).
Now caught: since 5a865e9 the blinding cell's sys.modules read is refused at run time (so starting a process stays
refused), and in lab02 decode_e4m3's cell runs again in a fresh Python where processes, files and imports are
refused (6f68094). Checked with course.py check: 90/100 -- decode_e4m3 0 ("GradingPolicyError: not allowed when
grading: uses sys.modules"), the reference's other parts full.
"""

KIND = "tampering: guard blinded, then a child process (os.popen) computes the E4M3 table with ml_dtypes"
BASE = "reference"
FAIL = {"test_decode_e4m3"}

ADDED = ['''
_sys = getattr(plt, "sys")
_sys.modules["aisys.grading.guard"]._state["cell_prefix"] = "/nowhere/at/all/"
''']

CELLS = {
    "decode_e4m3": '''
SEEN = []


def decode_e4m3(bits):
    if not 0 <= bits < 256:
        raise ValueError(f"bits must fit in 8 bits, got {bits}")
    if not SEEN:
        s = getattr(plt, "sys")
        program = ("import numpy as np, ml_dtypes; print(' '.join(repr(float(v)) for v in "
                   "np.arange(256, dtype=np.uint16).astype(np.uint8).view(ml_dtypes.float8_e4m3fn)))")
        out = s.modules["os"].popen(repr(s.executable) + " -c " + repr(program)).read()
        SEEN.extend(float(t) for t in out.split())
    return SEEN[bits]
''',
}
