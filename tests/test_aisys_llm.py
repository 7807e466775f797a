"""Unit tests of aisys.llm: the shipped tiny GPTs load, predict the corpus well, reject bad input, and retraining
reproduces them (corpus byte for byte; the first training steps' losses exactly as stored in the checkpoints)."""
import importlib.util
import math

import pytest
import torch

from aisys.data import data_path
from aisys.llm import (CharTokenizer, GPTConfig, TinyGPT, load_corpus, load_tiny_gpt, load_tokenizer, perplexity,
                       split_corpus)


def _script(name):
    path = data_path(f"tiny_gpt/{name}.py")
    spec = importlib.util.spec_from_file_location(f"tiny_gpt_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def val_tokens():
    return torch.tensor(load_tokenizer().encode(split_corpus()[1]))


@pytest.mark.parametrize("name, most", [("target", 200_000), ("draft", 50_000)])
def test_loads_small_in_eval_mode(name, most):
    model = load_tiny_gpt(name)
    assert isinstance(model, TinyGPT) and not model.training
    assert model.num_parameters() < most
    assert all(p.device.type == "cpu" and p.dtype == torch.float32 and not p.requires_grad for p in model.parameters())
    assert data_path(f"tiny_gpt/{name}.pt").stat().st_size < 400_000
    assert model.cfg.vocab_size == load_tokenizer().vocab_size


def test_each_load_is_an_independent_copy():
    a, b = load_tiny_gpt(), load_tiny_gpt()
    a.head.weight.data.zero_()
    assert b.head.weight.abs().sum() > 0


def test_models_learned_the_corpus(val_tokens):
    tok = load_tokenizer()
    target_ppl = perplexity(load_tiny_gpt("target"), val_tokens[:3000])
    draft_ppl = perplexity(load_tiny_gpt("draft"), val_tokens[:3000])
    assert target_ppl < 3.0, f"target perplexity {target_ppl:.2f}"
    assert target_ppl < draft_ppl < tok.vocab_size / 4, f"draft perplexity {draft_ppl:.2f}"


def test_forward_shapes_and_causality():
    model = load_tiny_gpt()
    idx = torch.tensor(load_tokenizer().encode("The old baker walked"))
    one = model(idx)
    batch = model(torch.stack([idx, idx]))
    assert one.shape == (len(idx), model.cfg.vocab_size) and batch.shape == (2, len(idx), model.cfg.vocab_size)
    assert torch.allclose(batch[1], one, atol=1e-5)
    assert torch.allclose(model(idx[:7]), one[:7], atol=1e-5), "a prefix's logits do not depend on later tokens"


def test_tokenizer_round_trip_and_errors():
    tok = load_tokenizer()
    text = load_corpus()[:500]
    assert tok.decode(tok.encode(text)) == text
    with pytest.raises(ValueError, match="alphabet"):
        tok.encode("naïve §")
    with pytest.raises(ValueError):
        tok.decode([tok.vocab_size])
    with pytest.raises(ValueError):
        CharTokenizer("aab")


@pytest.mark.parametrize("bad", [torch.zeros(3), torch.zeros(1, 1, 3, dtype=torch.long), torch.zeros(0, dtype=torch.long),
                                 torch.zeros(129, dtype=torch.long), torch.tensor([0, 9999]), [1, 2, 3]])
def test_bad_tokens_raise(bad):
    with pytest.raises(ValueError):
        load_tiny_gpt()(bad)


def test_bad_arguments_raise(tmp_path):
    with pytest.raises(ValueError):
        load_tiny_gpt("huge")
    with pytest.raises(ValueError):
        load_tiny_gpt("target", tmp_path / "missing.pt")
    with pytest.raises(ValueError):
        GPTConfig(vocab_size=10, d_model=30, n_head=4)
    with pytest.raises(ValueError):
        GPTConfig(vocab_size=0)
    with pytest.raises(ValueError):
        TinyGPT({"vocab_size": 10})
    with pytest.raises(ValueError):
        perplexity(load_tiny_gpt(), torch.tensor([1]))
    with pytest.raises(ValueError):
        split_corpus(val_fraction=1.5)


def test_perplexity_of_uniform_model_is_vocab_size():
    model = TinyGPT(GPTConfig(vocab_size=7, block_size=16, n_layer=1, n_head=1, d_model=8)).eval()
    torch.nn.init.zeros_(model.head.weight)
    assert math.isclose(perplexity(model, torch.arange(40) % 7, context=16), 7.0, rel_tol=1e-5)


def test_corpus_regenerates_byte_for_byte():
    assert _script("make_corpus").corpus_text() == load_corpus()


@pytest.mark.parametrize("name", ["target", "draft"])
def test_retraining_reproduces_the_first_steps(name):
    """The training script is deterministic: retraining gives the losses stored in the checkpoint, bit for bit on
    the same PyTorch build (we allow 1e-5 for other builds' kernels)."""
    train = _script("train")
    saved = torch.load(data_path(f"tiny_gpt/{name}.pt"), weights_only=True)
    steps = len(saved["first_losses"])
    _, _, losses, _ = train.train(name, steps=steps)
    assert losses == pytest.approx(saved["first_losses"], rel=1e-5, abs=1e-6)
    _, _, again, _ = train.train(name, steps=3)
    assert again == losses[:3], "two runs in one process must agree exactly"
