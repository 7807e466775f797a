"""Near variant of redteam_pipeline_decoy (found while closing it), Part F: the messages are computed in GPipe order
by running each layer's forward method directly (for layer in stage: x = layer.forward(x) -- no module hook runs)
and torch.autograd.grad for the gradient at the stage's input (nothing is added to .grad); afterwards the schedule's
order is replayed on the stage itself -- stage(x) on the real received micro-batch and output.backward(the real
received gradient) -- so that every hook the harness could put on the stage, its layers or its parameters sees
exactly m forward passes and m backward passes in 1F1B order, each adding the right micro-batch's gradients.
Every value is right; every stage held all m micro-batches.

The previous test_pipeline (its cell run on this submission) passed it, like redteam_pipeline_decoy: the stage's
forward hook saw the replay.
What catches it now: the hidden test marks each forward and backward pass the hooks see in the rank's trace, in
order with its messages, and requires every activation a stage sends to come after the forward pass that computed
it (here all m are sent before the replay starts) and every input gradient after the backward pass that produced it.
"""

KIND = "lazy: GPipe behind layer.forward and autograd.grad, a recomputed 1F1B replay for the hooks"
BASE = "reference"
FAIL = {'test_pipeline'}

CELLS = {
    "pipeline": r'''def pipeline_step(stage, inputs, targets, loss_fn, kind="1f1b"):
    r, p = dist.get_rank(), dist.get_world_size()
    m = len(inputs)
    xs, grads_in, handles = [], [], []
    outs, losses = [], []
    for i in range(m):                                   # GPipe: every forward, no hook runs ...
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
    for i in range(m):                                   # ... then every backward, nothing added to .grad
        if r == p - 1:
            g = None
            (gx,) = torch.autograd.grad(losses[i], [xs[i]])
        else:
            g = torch.empty_like(outs[i])
            dist.recv(g, r + 1)
            (gx,) = torch.autograd.grad(outs[i], [xs[i]], g)
        grads_in.append(g)
        if r > 0:
            handles.append(dist.isend(gx.contiguous(), r - 1))
    for h in handles:
        h.wait()
    kept = {}                                            # the replay, in the schedule's order, for the hooks
    for op, i in pipeline_schedule(kind, p, m)[r]:
        if op == "F":
            kept[i] = stage(xs[i].detach())
        else:
            out = kept.pop(i)
            if r == p - 1:
                (loss_fn(out, targets[i]) / m).backward()
            else:
                out.backward(grads_in[i])
''',
}
