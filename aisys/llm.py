"""A tiny character-level GPT shipped with the course, for the LLM-serving notebook and lab15 (no downloads).

Two trained models live in ``data/tiny_gpt/``: a *target* (4 layers, d_model 64, about 200 k parameters) and a
much smaller *draft* (1 layer, d_model 32) for speculative decoding. Both read the same characters
(:class:`CharTokenizer`) of the course's own corpus ``data/tiny_gpt/corpus.txt``; ``data/tiny_gpt/train.py``
trained them (deterministic, see ``data/README.md``)::

    from aisys.llm import load_tiny_gpt, load_tokenizer
    model, tok = load_tiny_gpt("target"), load_tokenizer()
    logits = model(torch.tensor([tok.encode("The old baker")]))      # (1, 13, vocab)

The model is written out step by step (no fused attention) so that a KV cache, a paged cache or a quantized
linear layer can be built from its parts: ``tok_emb``, ``pos_emb``, ``blocks[i].ln1 / .attn.qkv / .attn.proj /
.ln2 / .mlp``, ``ln_f``, ``head``. :meth:`TinyGPT.forward` always recomputes the whole sequence: it is the
reference every faster decoder is checked against. The serving techniques themselves (KV cache, paging,
scheduling, speculation) are *not* here: the notebook and the lab build them.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

#: File names of the trained weights inside ``data/tiny_gpt/``.
WEIGHTS = {"target": "tiny_gpt/target.pt", "draft": "tiny_gpt/draft.pt"}
CORPUS = "tiny_gpt/corpus.txt"


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int
    block_size: int = 128      # longest context (number of positions the model has embeddings for)
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 64

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "d_model"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"GPTConfig.{name} must be a positive int, got {value!r}")
        if self.d_model % self.n_head:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of n_head ({self.n_head})")

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_head


class CharTokenizer:
    """One token per character of a fixed alphabet (the corpus's distinct characters, sorted)."""

    def __init__(self, chars: str):
        if not isinstance(chars, str) or not chars or len(set(chars)) != len(chars):
            raise ValueError("chars must be a non-empty string of distinct characters")
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise ValueError(f"encode expects a str, got {type(text).__name__}")
        missing = sorted(set(text) - set(self.index))
        if missing:
            raise ValueError(f"characters {missing} are not in the tokenizer's alphabet {self.chars!r}")
        return [self.index[c] for c in text]

    def decode(self, tokens) -> str:
        tokens = tokens.tolist() if isinstance(tokens, torch.Tensor) else list(tokens)
        bad = [t for t in tokens if not isinstance(t, int) or not 0 <= t < len(self.chars)]
        if bad:
            raise ValueError(f"token ids must be ints in [0, {len(self.chars)}), got {bad[:5]}")
        return "".join(self.chars[t] for t in tokens)


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention: ``qkv`` projects to queries, keys and values; ``proj`` mixes the heads."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head, self.head_dim = cfg.n_head, cfg.head_dim
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def split_heads(self, x: torch.Tensor):
        """(B, T, d_model) -> q, k, v, each (B, n_head, T, head_dim)."""
        B, T, _ = x.shape
        q, k, v = self.qkv(x).split(self.n_head * self.head_dim, dim=-1)
        return [t.view(B, T, self.n_head, self.head_dim).transpose(1, 2) for t in (q, k, v)]

    def merge_heads(self, o: torch.Tensor) -> torch.Tensor:
        """(B, n_head, T, head_dim) -> (B, T, d_model) after the output projection."""
        B, H, T, D = o.shape
        return self.proj(o.transpose(1, 2).reshape(B, T, H * D))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.split_heads(x)
        T = x.shape[1]
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
        weights = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
        return self.merge_heads(weights @ v)


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln1(x)), then x + mlp(ln2(x))."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(),
                                 nn.Linear(4 * cfg.d_model, cfg.d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """A GPT-2-style decoder: token + position embeddings, ``n_layer`` pre-norm blocks, final LayerNorm, a linear
    head to ``vocab_size`` logits. ``forward(idx)`` takes token ids (B, T) or (T,) with T <= block_size and returns
    logits (B, T, vocab) or (T, vocab), recomputing every position (no cache)."""

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        if not isinstance(cfg, GPTConfig):
            raise ValueError(f"expected a GPTConfig, got {type(cfg).__name__}")
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.block_size, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)

    def check_tokens(self, idx) -> torch.Tensor:
        """``idx`` as a LongTensor, or a ValueError saying what was expected."""
        if not isinstance(idx, torch.Tensor):
            raise ValueError(f"expected token ids as a torch.Tensor of shape (B, T) or (T,), got {type(idx).__name__}")
        if idx.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"expected integer token ids (torch.int64), got dtype {idx.dtype}")
        if idx.dim() not in (1, 2) or idx.shape[-1] == 0:
            raise ValueError(f"expected token ids of shape (B, T) or (T,) with T >= 1, got {tuple(idx.shape)}")
        if idx.shape[-1] > self.cfg.block_size:
            raise ValueError(f"sequence length {idx.shape[-1]} exceeds the model's block_size {self.cfg.block_size}")
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= self.cfg.vocab_size):
            raise ValueError(f"token ids must lie in [0, {self.cfg.vocab_size}), got {int(idx.min())}..{int(idx.max())}")
        return idx.long()

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        idx = self.check_tokens(idx)
        squeeze = idx.dim() == 1
        if squeeze:
            idx = idx[None]
        T = idx.shape[1]
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(T, device=idx.device))
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.ln_f(x))
        return logits[0] if squeeze else logits

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def load_tokenizer() -> CharTokenizer:
    """The tokenizer both shipped models use (the alphabet is stored in the weight files)."""
    return CharTokenizer(_checkpoint(None, "target")["chars"])


def load_tiny_gpt(name: str = "target", path: str | Path | None = None) -> TinyGPT:
    """The trained ``"target"`` or ``"draft"`` model in eval mode on the CPU (float32), from ``data/tiny_gpt/``
    (or ``path``). Each call returns a fresh copy, so quantizing or instrumenting it affects no other caller."""
    saved = _checkpoint(path, name)
    model = TinyGPT(GPTConfig(**saved["config"]))
    model.load_state_dict({k: v.float() for k, v in saved["state_dict"].items()})
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()


def _checkpoint(path, name) -> dict:
    if name not in WEIGHTS:
        raise ValueError(f"name must be one of {sorted(WEIGHTS)}, got {name!r}")
    if path is None:
        from .data import data_path
        path = data_path(WEIGHTS[name])
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no weights file at {path}; run data/tiny_gpt/train.py to create it")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict) or not {"config", "state_dict", "chars"} <= set(saved):
        raise ValueError(f"{path} is not a TinyGPT checkpoint (expected keys 'config', 'state_dict', 'chars')")
    return saved


def load_corpus() -> str:
    """The course's corpus (``data/tiny_gpt/corpus.txt``, written by ``data/tiny_gpt/make_corpus.py``)."""
    from .data import data_path
    return data_path(CORPUS).read_text(encoding="utf-8")


def split_corpus(text: str | None = None, val_fraction: float = 0.1) -> tuple[str, str]:
    """(train, validation) text: the last ``val_fraction`` of the corpus is held out (the models never saw it)."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be strictly between 0 and 1, got {val_fraction}")
    text = load_corpus() if text is None else text
    cut = int(len(text) * (1 - val_fraction))
    return text[:cut], text[cut:]


@torch.no_grad()
def perplexity(model: TinyGPT, tokens, context: int | None = None) -> float:
    """exp(mean next-token cross-entropy) of ``model`` on a 1-D sequence of token ids, scored in non-overlapping
    windows of ``context`` tokens (default: the model's block_size). Lower is better; 1.0 is perfect."""
    tokens = torch.as_tensor(tokens, dtype=torch.long)
    if tokens.dim() != 1 or len(tokens) < 2:
        raise ValueError(f"tokens must be a 1-D sequence of at least 2 ids, got shape {tuple(tokens.shape)}")
    context = context or model.cfg.block_size
    if not 1 <= context <= model.cfg.block_size:
        raise ValueError(f"context must be in [1, {model.cfg.block_size}], got {context}")
    total, count = 0.0, 0
    for start in range(0, len(tokens) - 1, context):
        window = tokens[start:start + context + 1]
        if len(window) < 2:
            break
        logits = model(window[:-1])
        total += torch.nn.functional.cross_entropy(logits, window[1:], reduction="sum").item()
        count += len(window) - 1
    return math.exp(total / count)


def config_dict(model: TinyGPT) -> dict:
    return asdict(model.cfg)
