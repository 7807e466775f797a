"""Train the course's tiny GPTs on data/tiny_gpt/corpus.txt and write target.pt and draft.pt beside this file.

    python data/tiny_gpt/train.py [target|draft]   # a few minutes on an idle CPU; run once, never at notebook time

Deterministic: fixed seeds, one fixed thread count, batches drawn from a seeded generator, so rerunning on the same
PyTorch build writes the same weights (checked by tests/test_aisys_llm.py, which retrains the first steps and compares
their losses with the ones stored in the checkpoint, and by the SHA-256 sums listed in data/README.md). Weights are
stored in float16 (half the bytes; ``aisys.llm.load_tiny_gpt`` loads them back as float32).
"""
from __future__ import annotations

import hashlib
import math
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
from aisys.llm import CharTokenizer, GPTConfig, TinyGPT, perplexity, split_corpus  # noqa: E402

THREADS = 1
MODELS = {
    #         config                                                    steps  lr     seed
    "target": (dict(block_size=128, n_layer=3, n_head=4, d_model=64), 1200, 3e-3, 0),
    "draft": (dict(block_size=128, n_layer=1, n_head=2, d_model=48), 2000, 5e-3, 1),
}
BATCH, CONTEXT = 16, 128
#: losses of this many first steps are stored in the checkpoint so a retrain can be checked quickly
CHECK_STEPS = 10


def corpus_tokens():
    train_text, val_text = split_corpus((HERE / "corpus.txt").read_text(encoding="utf-8"))
    tok = CharTokenizer("".join(sorted(set(train_text + val_text))))
    return tok, torch.tensor(tok.encode(train_text)), torch.tensor(tok.encode(val_text))


def train(name: str, steps: int | None = None, log_every: int = 0):
    """Train model ``name`` from scratch for ``steps`` steps (default: its full schedule).
    Returns (model, tokenizer, per-step losses, validation perplexity or None)."""
    torch.set_num_threads(THREADS)
    tok, data, val = corpus_tokens()
    config, total, lr, seed = MODELS[name]
    steps = total if steps is None else steps
    torch.manual_seed(seed)
    model = TinyGPT(GPTConfig(vocab_size=tok.vocab_size, **config))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.99), weight_decay=0.01)
    gen = torch.Generator().manual_seed(seed + 100)
    losses = []
    start = time.perf_counter()
    for step in range(steps):
        for group in opt.param_groups:       # linear warm-up, then cosine decay to 10 %
            warm = min(1.0, (step + 1) / 50)
            group["lr"] = lr * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / total)))
        ix = torch.randint(len(data) - CONTEXT - 1, (BATCH,), generator=gen)
        x = torch.stack([data[i:i + CONTEXT] for i in ix.tolist()])
        y = torch.stack([data[i + 1:i + CONTEXT + 1] for i in ix.tolist()])
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if log_every and (step % log_every == 0 or step == steps - 1):
            print(f"{name} step {step:5d}  loss {loss.item():.4f}  {time.perf_counter() - start:6.1f} s", flush=True)
    model.eval()
    ppl = perplexity(model, val) if steps == total else None
    return model, tok, losses, ppl


def main(names: list[str]) -> None:
    for name in names or MODELS:
        model, tok, losses, ppl = train(name, log_every=100)
        state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
        out = HERE / f"{name}.pt"
        torch.save({"config": {"vocab_size": tok.vocab_size, **MODELS[name][0]}, "chars": tok.chars,
                    "state_dict": state, "first_losses": losses[:CHECK_STEPS], "val_perplexity": ppl,
                    "torch_version": str(torch.__version__)}, out)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        print(f"wrote {out.name}: {model.num_parameters():,} parameters, {out.stat().st_size:,} bytes, "
              f"validation perplexity {ppl:.3f}, sha256 {digest}")


if __name__ == "__main__":
    main(sys.argv[1:])
