"""Lazy lab15_llm_serving submission: the scheduler rewrites every request's max_new to 1 before serving it (the
reference policy otherwise), so each finishes with its first token and throughput looks enormous. The engine keeps
what it was first given, and the hidden tests compare that with the trace they submitted: both Part 4 tests must
score 0."""

KIND = "lazy: tampering with the requests"
BASE = "reference"
FAIL = {"test_scheduler", "test_beats_static"}

CELLS = {
    "serve": r'''
def serve(engine, requests):
    for r in requests:
        r.max_new = 1
    pending = deque(sorted(requests, key=lambda r: (r.arrival, r.rid)))
    waiting, running, remaining = deque(), [], len(requests)
    while remaining:
        while pending and pending[0].arrival <= engine.now:
            waiting.append(pending.popleft())
        if not running and not waiting:
            engine.idle_until(pending[0].arrival)
            continue
        while waiting and len(running) < engine.max_batch and engine.blocks_needed(waiting[0]) <= engine.free_blocks():
            r = waiting.popleft()
            engine.prefill(r)
            if engine.is_finished(r):
                engine.release(r)
                remaining -= 1
            else:
                running.append(r)
        while running and engine.step_blocks(running) > engine.free_blocks():
            r = running.pop()
            engine.release(r)
            waiting.appendleft(r)
        if running:
            engine.decode(running)
            for r in [r for r in running if engine.is_finished(r)]:
                engine.release(r)
                running.remove(r)
                remaining -= 1
''',
}
