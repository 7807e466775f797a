"""Lazy lab15_llm_serving submission: speculative_generate that never asks the draft, decoding the target one token
per call (greedy, or sampling from the target directly). The output is right; the target calls the hook counts are
one per token, so the speculative-generation test must score 0 (the acceptance rule itself is the reference's)."""

KIND = "lazy: no speculation"
BASE = "reference"
FAIL = {"test_speculative_generate"}

CELLS = {
    "speculative": r'''
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
    tokens = list(prompt)
    with torch.no_grad():
        for _ in range(n_new):
            logits = target(torch.tensor(tokens))[-1]
            if generator is None:
                tokens.append(int(logits.argmax()))
            else:
                tokens.append(int(torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)))
    return tokens[len(prompt):]
''',
}
