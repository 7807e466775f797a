"""Lazy lab15_llm_serving submission, Part 5: the guesses come from a hook-free deep copy of the target (the draft is
called and its output thrown away), so the counted target sees few calls while the target really runs every step
(found by an adversarial review). The hidden test refuses code that copies the model or reaches into its hooks."""
KIND = "lazy: speculative guesses from a hidden copy of the target"
BASE = "reference"
FAIL = {"test_speculative_generate"}

CELLS = {
    "speculative": r'''
import copy


def speculative_accept(p, q, draft_tokens, generator):
    out = []
    for i, x in enumerate(int(t) for t in draft_tokens):
        u = torch.rand((), generator=generator).item()
        if u * q[i, x].item() < p[i, x].item():
            out.append(x)
            continue
        residual = torch.clamp(p[i] - q[i], min=0)
        out.append(int(torch.multinomial(residual / residual.sum(), 1, generator=generator)))
        return out
    out.append(int(torch.multinomial(p[len(out)], 1, generator=generator)))
    return out


def speculative_generate(target, draft, prompt, n_new, k=4, generator=None):
    shadow = copy.deepcopy(target)
    for m in shadow.modules():
        m._forward_hooks.clear()
        m._forward_pre_hooks.clear()
    tokens = list(prompt)
    with torch.no_grad():
        while len(tokens) - len(prompt) < n_new:
            guesses, q_rows = [], []
            for _ in range(k):
                draft(torch.tensor(tokens + guesses))
                logits = shadow(torch.tensor(tokens + guesses))[-1]
                if generator is None:
                    guesses.append(int(logits.argmax()))
                else:
                    q_row = torch.softmax(logits, -1)
                    q_rows.append(q_row)
                    guesses.append(int(torch.multinomial(q_row, 1, generator=generator)))
            logits = target(torch.tensor(tokens + guesses))[len(tokens) - 1:]
            if generator is None:
                best = logits.argmax(-1).tolist()
                n = 0
                while n < k and guesses[n] == best[n]:
                    n += 1
                emitted = guesses[:n] + [best[n]]
            else:
                emitted = speculative_accept(torch.softmax(logits, -1), torch.stack(q_rows), guesses, generator)
            tokens += emitted
    return tokens[len(prompt):len(prompt) + n_new]
''',
}
