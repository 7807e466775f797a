"""Red team (round 3), Part F: pipeline_step does the real work in GPipe order whatever the kind -- every forward
(through stage.forward(x), which does not run the stage's hooks), then every backward, with the right messages and
payloads -- and then replays pipeline_schedule(kind, p, m)[rank] on the stage itself: stage(x) on the real received
micro-batches (shape (b, D)), and output.backward(zeros) for each ("B", i), so the harness's forward hook logs the
1F1B order (min(p - r, m) in flight) and the zero gradients add nothing to .grad. The hook stays registered and
sees real micro-batches; gradients and messages are exact. Part E is an honest 1F1B generator (earned).

Checked with course.py check (other answers blank): 30/100 -- test_schedule 15/15 (earned), test_pipeline 15/15
(not earned: every stage held all m micro-batches, like lazy_pipeline_order, which scores 0). Part F should score 0.

What catches it now: Part F's hidden test runs its own watched copy of pipeline_training. Forward hooks sit on the
stage and on every layer inside it, and each must run exactly m times (here the layers ran 2m: stage.forward(x) still
calls them as modules); a post-accumulate-grad hook on every parameter must see exactly m backward passes, each
adding one micro-batch's gradients (here 2m, m of them zeros); the stage's outputs the hook saw must be the values
computed for each micro-batch, and every hook event is marked in the rank's trace so that each activation and input
gradient sent must come after the pass that computed it (here all were sent before the replay). Near variants:
redteam_pipeline_layer_decoy (the real work through each layer's .forward, past every module hook) and
redteam_pipeline_recompute (a replay that recomputes the real gradients in 1F1B order).
"""

KIND = "lazy: GPipe behind the hook, a decoy 1F1B replay for the hook"
BASE = "reference"
FAIL = {'test_pipeline'}

CELLS = {
    "schedule": r'''def pipeline_schedule(kind, p, m):
    for v in (p, m):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError("p and m must be ints >= 1")
    if kind == "gpipe":
        return [[("F", i) for i in range(m)] + [("B", i) for i in range(m)] for _ in range(p)]
    if kind != "1f1b":
        raise ValueError(f"unknown schedule {kind!r}")
    orders = []
    for r in range(p):
        warm = min(p - r - 1, m)
        order = [("F", i) for i in range(warm)]
        for i in range(m - warm):
            order += [("F", warm + i), ("B", i)]
        order += [("B", i) for i in range(m - warm, m)]
        orders.append(order)
    return orders
''',
    "pipeline": r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    xs, outs, losses, handles = [], [], [], []
    for i in range(m):                                   # GPipe: every forward ...
        if r == 0:
            x = inputs[i].clone().requires_grad_()
        else:
            x = torch.empty_like(inputs[i])
            dist.recv(x, r - 1)
            x.requires_grad_()
        out = stage.forward(x)                           # not stage(x): the stage's hooks do not run
        xs.append(x)
        outs.append(out)
        if r < p - 1:
            handles.append(dist.isend(out.detach().contiguous(), r + 1))
        else:
            losses.append(loss_fn(out, targets[i]) / m)
    for i in range(m):                                   # ... then every backward
        if r == p - 1:
            losses[i].backward()
        else:
            grad = torch.empty_like(outs[i])
            dist.recv(grad, r + 1)
            outs[i].backward(grad)
        if r > 0:
            handles.append(dist.isend(xs[i].grad.contiguous(), r - 1))
    for h in handles:
        h.wait()
    # the decoy: the schedule's order, replayed on the stage for its hook, contributing zero gradients
    kept = {}
    for op, i in pipeline_schedule(kind, p, m)[r]:
        if op == "F":
            kept[i] = stage(xs[i].detach())
        else:
            out = kept.pop(i)
            out.backward(torch.zeros_like(out))
''',
}
