"""Lazy lab15_llm_serving submission: continuous batching that avoids preemption by admitting a request only when
its *full* length (prompt + max_new) fits next to the full lengths of the running ones. Correct and safe, but it is
not the policy Part 4 asks for (it never preempts and keeps fewer requests running): the scheduler test must score 0,
and on the visible trace it is barely faster than static batching (65 vs 62 tokens/s), so the throughput test too."""

KIND = "lazy: reserve the maximum, never preempt"
BASE = "reference"
FAIL = {"test_scheduler", "test_beats_static"}

CELLS = {
    "serve": r'''
def serve(engine, requests):
    pending = deque(sorted(requests, key=lambda r: (r.arrival, r.rid)))
    waiting, running, remaining = deque(), [], len(requests)
    full = lambda r: -(-(len(r.prompt) + r.max_new) // engine.block_size)
    while remaining:
        while pending and pending[0].arrival <= engine.now:
            waiting.append(pending.popleft())
        if not running and not waiting:
            engine.idle_until(pending[0].arrival)
            continue
        while waiting and len(running) < engine.max_batch and \
                sum(full(r) for r in running) + full(waiting[0]) <= engine.num_blocks:
            r = waiting.popleft()
            engine.prefill(r)
            if engine.is_finished(r):
                engine.release(r)
                remaining -= 1
            else:
                running.append(r)
        if running:
            engine.decode(running)
            for r in [r for r in running if engine.is_finished(r)]:
                engine.release(r)
                running.remove(r)
                remaining -= 1
''',
}
