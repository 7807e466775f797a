"""Red team: blind the grading kernel's watch (aisys.grading.guard) from a student cell, then switch off the test's
profile hook and call struct directly.

getattr(plt, "sys") is allowed (sys is an allowed module), and `.modules[...]` on it is a plain attribute read no
check looks at; sys.modules["aisys.grading.guard"]._state is the guard's state dict, and an item assignment is not
an attribute store. Setting _state["cell_prefix"] to a folder that does not exist makes _is_student_file false for
every cell: from then on the audit hook and the checked getattr/setattr never see a student caller (sys.setprofile,
sys._getframe, frames' f_globals, processes, file writes, ctypes are all allowed again, for the rest of the kernel).
Part 1 then calls sys.setprofile(None) inside the test's no_reinterpretation block, removing the profile hook that
switches struct off, and calls struct.unpack directly. Part 2 (control) calls struct.pack directly without removing
the hook: it must be caught.

Checked with course.py check (release base, Parts 3-6 unanswered): 15/100 -- Part 1 full, Part 2 (control, same
direct struct call without removing the hook) 0 with "_struct.pack called, but switched off in this test". Control
run without the blinding cell: 0/100, both parts "GradingPolicyError: not allowed when grading: sys.setprofile".
Should score 0 (FAIL: Parts 1 and 2). This is course-wide: once _state["cell_prefix"] is changed, no later cell is a
student's to the guard (no refusal of frames, tracing/profile hooks, processes, files outside the grading folder,
ctypes, checked getattr), in every lab. Fix idea: keep the guard's state out of reach (closure or C-level state, not
a module global reachable through sys.modules; drop aisys.grading.* from sys.modules after install), re-derive
cell_prefix/trusted in pre_run_cell and fail the notebook if they changed, and refuse getattr(<module>, "sys").
Now caught: since 5a865e9 the guard refuses reading sys.modules (and sys.setprofile) at run time however sys was
reached, so the blinding cell fails and the watch stays on; in lab02, Parts 1-5 also run again in a fresh Python
without struct (6f68094). Checked with course.py check: 75/100 -- fp32_decode 0 ("uses sys.setprofile"),
fp32_encode 0 ("uses sys.modules"), the reference's other parts full.
"""

KIND = "tampering: guard blinded through sys.modules['aisys.grading.guard']._state; sys.setprofile(None) in the test"
BASE = "reference"
FAIL = {"test_fp32_decode", "test_fp32_encode"}

ADDED = ['''
_sys = getattr(plt, "sys")
_sys.modules["aisys.grading.guard"]._state["cell_prefix"] = "/nowhere/at/all/"
''']

CELLS = {
    "fp32_decode": '''
def fp32_decode(bits):
    if not 0 <= bits < 1 << 32:
        raise ValueError(f"bits must be in [0, 2**32), got {bits}")
    s = getattr(plt, "sys")
    s.setprofile(None)
    return s.modules["struct"].unpack("<f", bits.to_bytes(4, "little"))[0]
''',
    "fp32_encode": '''
def fp32_encode(x):
    if x != x:
        return 0x7FC00000
    if abs(x) > 3.4028234663852886e38 and abs(x) != math.inf:
        raise ValueError(f"{x!r} overflows FP32")
    raw = getattr(plt, "sys").modules["struct"].pack("<f", x)
    bits = int.from_bytes(raw, "little")
    if fp32_decode(bits) != x:
        raise ValueError(f"{x!r} is not exactly representable in FP32")
    return bits
''',
}
