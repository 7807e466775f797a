"""Lazy lab15_llm_serving submission: the scheduler is static batching (the notebook's given serve_static). Every
request finishes, but there is no iteration-level admission and no preemption: both Part 4 tests must score 0."""

KIND = "lazy: static batching"
BASE = "reference"
FAIL = {"test_scheduler", "test_beats_static"}

CELLS = {
    "serve": r'''
def serve(engine, requests):
    serve_static(engine, requests)
''',
}
