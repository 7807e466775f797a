"""Lazy Part F: pipeline_step ignores the schedule and runs every forward, then every backward (GPipe), whatever
kind it is asked for; Part E is the reference's. Gradients and messages are right, but in the 1F1B cases the stage's
hook sees m micro-batches in flight instead of min(p - r, m): Part F scores 0."""

KIND = "lazy: one order for every schedule"
BASE = "reference"
FAIL = {"test_pipeline"}

CELLS = {
    "pipeline": r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    xs, ys, sends = [], [], []
    for i in range(m):
        if r == 0:
            x = inputs[i]
        else:
            x = torch.empty_like(inputs[i])
            dist.recv(x, r - 1)
            x.requires_grad_(True)
        y = stage(x)
        xs.append(x)
        if r == p - 1:
            ys.append(loss_fn(y, targets[i]) / m)
        else:
            ys.append(y)
            sends.append(dist.isend(y.detach().contiguous(), r + 1))
    for i in range(m):
        if r == p - 1:
            ys[i].backward()
        else:
            g = torch.empty_like(ys[i])
            dist.recv(g, r + 1)
            ys[i].backward(g)
        if r > 0:
            sends.append(dist.isend(xs[i].grad.contiguous(), r - 1))
    for s in sends:
        s.wait()
''',
}
