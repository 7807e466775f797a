"""Grading that only real work can pass.

- :mod:`aisys.grading.policy` what graded code may do, checked on the code's syntax tree by the grader
  (outside the student's kernel) before anything runs;
- :mod:`aisys.grading.guard`  the watch kept inside the grading kernel (installed before the first cell):
  it refuses reflection and patching from student code, and puts back what the tests rely on;
- :mod:`aisys.grading.forbid` what a test cell uses to switch a library routine off while it calls the
  student's code (by object identity and at torch's dispatcher, so aliases and early-bound copies are
  caught too) and to read a function's code for forbidden names;
- :mod:`aisys.grading.autograde` nbgrader preprocessors (configured in ``nbgrader_config.py``): rebuild the
  notebook from the source, review the student's cells, run the kernel isolated with bubblewrap, report.

Student code may not import this package (the policy says so).
"""
