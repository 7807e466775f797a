"""Lazy lab15_llm_serving submission: the acceptance rule resamples a rejected position from the target p itself
instead of the residual max(0, p - q). It looks plausible and greedy decoding is unaffected, but the emitted tokens
no longer follow p: the acceptance test and the sampling check of speculative_generate must score 0."""

KIND = "lazy: wrong acceptance rule (resample from p)"
BASE = "reference"
FAIL = {"test_speculative_accept", "test_speculative_generate"}

CELLS = {
    "speculative": r'''
def speculative_accept(p, q, draft_tokens, generator):
    out = []
    for i, x in enumerate(int(t) for t in draft_tokens):
        u = torch.rand((), generator=generator).item()
        if u * q[i, x].item() < p[i, x].item():
            out.append(x)
            continue
        out.append(int(torch.multinomial(p[i], 1, generator=generator)))
        return out
    out.append(int(torch.multinomial(p[len(out)], 1, generator=generator)))
    return out


def speculative_generate(target, draft, prompt, n_new, k=4, generator=None):
    tokens = list(prompt)
    with torch.no_grad():
        while len(tokens) - len(prompt) < n_new:
            guesses, q_rows = [], []
            for _ in range(k):
                logits = draft(torch.tensor(tokens + guesses))[-1]
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
