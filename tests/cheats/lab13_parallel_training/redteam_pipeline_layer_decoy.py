"""Near variant of redteam_pipeline_decoy (found while closing it), Part F: the real work in GPipe order goes
through each layer's forward method (for layer in stage: x = layer.forward(x)), so that no hook on the stage or on
its layers sees it; then the schedule's order is replayed on the stage -- stage(x) on the real received
micro-batches and output.backward(zeros) for each ("B", i) -- for the hooks. Gradients and messages are exact; every
stage held all m micro-batches.

The previous test_pipeline (its cell run on this submission) passed it, like redteam_pipeline_decoy.
What catches it now: the hidden test also hooks the stage's parameters, where every backward pass adds to .grad, and
requires exactly m backward passes there, each adding one micro-batch's gradients (here 2m, m of them zeros); and
every activation sent must come after the forward pass the hooks saw compute it.
"""

KIND = "lazy: GPipe behind layer.forward, a decoy 1F1B replay with zero gradients"
BASE = "reference"
FAIL = {'test_pipeline'}

CELLS = {
    "pipeline": r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    xs, outs, losses, handles = [], [], [], []
    for i in range(m):                                   # GPipe: every forward, past every module hook ...
        if r == 0:
            x = inputs[i].clone().requires_grad_()
        else:
            x = torch.empty_like(inputs[i])
            dist.recv(x, r - 1)
            x.requires_grad_()
        out = x
        for layer in stage:
            out = layer.forward(out)
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
    kept = {}                                            # the decoy: zero gradients in the schedule's order
    for op, i in pipeline_schedule(kind, p, m)[r]:
        if op == "F":
            kept[i] = stage(xs[i].detach())
        else:
            out = kept.pop(i)
            out.backward(torch.zeros_like(out))
''',
}
