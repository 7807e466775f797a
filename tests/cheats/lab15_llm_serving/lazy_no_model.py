"""Lazy lab15_llm_serving submission (found by an adversarial review): the reference scheduling policy, but the engine's
model is switched off while it serves (model None: every token is 0) and put back afterwards, so the engine still
holds its model when the tests look. The schedule, the clock and the metrics are unchanged; only the model's calls
and the tokens show it: both Part 4 tests must score 0."""

KIND = "lazy: serve with the engine's model switched off"
BASE = "reference"
FAIL = {"test_scheduler", "test_beats_static"}

CELLS = {
    "serve": r'''
def serve(engine, requests):
    """Run every request to completion on `engine` with FCFS continuous batching and preemption of the newest."""
    model, engine.model = getattr(engine, "model", None), None
    try:
        _serve(engine, requests)
    finally:
        if model is not None:
            engine.model = model


def _serve(engine, requests):
    pending = deque(sorted(requests, key=lambda r: (r.arrival, r.rid)))
    waiting, running = deque(), []
    remaining = len(requests)
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
