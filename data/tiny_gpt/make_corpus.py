"""Write data/tiny_gpt/corpus.txt: the course's own little corpus for the tiny GPT (self-written, no licence
questions). A fixed grammar of short village stories, fables and serving-system sentences, drawn with a seeded
random generator, so rerunning this script writes the same file byte for byte.

    python data/tiny_gpt/make_corpus.py          # about 120 KB, under a second

Why a grammar and not a book: a character-level model with 150 k parameters learns a small, regular language well in
a couple of minutes on a CPU, so its samples read as sentences and a still smaller draft model agrees with it often
enough for speculative decoding to be worth showing. Every sentence below was written for this course.
"""
from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).with_name("corpus.txt")
TARGET_BYTES = 120_000

NAMES = ["Ada", "Ben", "Chen", "Dora", "Emil", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kira", "Leo", "Mei", "Nils",
         "Omar", "Pia", "Quin", "Rosa", "Sam", "Tove", "Uma", "Vic", "Wen", "Yara", "Zoe"]
JOBS = ["baker", "miller", "sailor", "weaver", "farmer", "teacher", "smith", "painter", "fisher", "potter",
        "doctor", "gardener", "clerk", "singer", "builder"]
ANIMALS = ["cat", "dog", "fox", "goose", "hare", "owl", "crow", "goat", "horse", "mouse", "duck", "bear"]
ADJ = ["old", "young", "small", "tall", "quiet", "clever", "tired", "happy", "careful", "brave", "kind", "shy"]
COLOURS = ["red", "blue", "green", "yellow", "white", "black", "grey", "brown"]
THINGS = ["boat", "basket", "lamp", "cart", "kettle", "ladder", "book", "coat", "bell", "drum", "kite", "key"]
PLACES = ["the river", "the market", "the mill", "the hill", "the harbour", "the forest", "the bridge",
          "the school", "the garden", "the well", "the square", "the station"]
TIMES = ["In the morning", "At noon", "In the evening", "Late at night", "On Monday", "After the rain",
         "Before dawn", "One winter day", "Every spring", "On the last day of summer"]
VERBS_MOVE = ["walked", "ran", "rode", "sailed", "hurried", "climbed", "wandered"]
FEELINGS = ["smiled", "laughed", "sighed", "nodded", "waited", "listened", "sang a short song"]
FOODS = ["bread", "soup", "apples", "cheese", "honey", "rice", "plums", "tea", "pears", "fish"]
NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"]
MORALS = ["Slow and steady work is never wasted.", "A shared loaf feeds more mouths.",
          "Ask before you take, and give before you ask.", "The quiet ones often know the way.",
          "A small key opens a large door.", "Many hands make a heavy load light.",
          "What you mend today you need not buy tomorrow.", "Listen first, then speak."]
SERVING = [
    "The server keeps the keys and values of every token it has seen, so each new token costs one small step.",
    "A request waits in the queue until enough blocks are free for its prompt.",
    "When the blocks run out, the scheduler pauses the newest request and gives its blocks back.",
    "Two requests that share a prompt share its blocks until one of them writes a new token.",
    "The draft model guesses four tokens and the target model checks them all in one pass.",
    "A batch that waits for its slowest member wastes the time of all the others.",
    "Each block holds sixteen tokens, and a table maps the blocks of a request to places in memory.",
    "Prefill reads the whole prompt at once; decode adds one token at a time.",
]


def article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(NAMES)
    return name, f"{name} the {rng.choice(JOBS)}"


def story(rng: random.Random) -> str:
    name, full = person(rng)
    pron = rng.choice(["She", "He"])
    poss = "her" if pron == "She" else "his"
    friend, friend_full = person(rng)
    while friend == name:
        friend, friend_full = person(rng)
    animal, adj, colour, thing = rng.choice(ANIMALS), rng.choice(ADJ), rng.choice(COLOURS), rng.choice(THINGS)
    place, place2 = rng.sample(PLACES, 2)
    food, n = rng.choice(FOODS), rng.choice(NUMBERS)
    lines = [
        f"{rng.choice(TIMES)}, {full} {rng.choice(VERBS_MOVE)} to {place}.",
        rng.choice([f"There {pron.lower()} found {article(adj)} {animal} sitting in {article(colour)} {thing}.",
                    f"On the way {pron.lower()} met {friend_full}, who carried {n} bags of {food}.",
                    f"{pron} wanted to buy {n} {thing}s, but the shop was closed."]),
        rng.choice([f"\"Where are you going?\" asked {friend}.", f"\"Good day,\" said {friend}.",
                    f"\"Can you help me?\" asked the {animal}.", f"\"Look at the sky,\" said {name}."]),
        rng.choice([f"\"To {place2},\" said {name}, \"to fetch some {food}.\"",
                    f"\"I have lost {poss} {colour} {thing},\" said {name}.",
                    f"\"Of course,\" said {name}, and {pron.lower()} {rng.choice(FEELINGS)}."]),
        rng.choice([f"They {rng.choice(VERBS_MOVE)} together to {place2} and shared the {food}.",
                    f"The {animal} followed {name} all the way to {place2}.",
                    f"By the evening the {thing} was mended, and {name} {rng.choice(FEELINGS)}.",
                    f"{pron} counted {n} stars before {pron.lower()} fell asleep."]),
    ]
    if rng.random() < 0.35:
        lines.append(rng.choice(MORALS))
    return " ".join(lines)


def fable(rng: random.Random) -> str:
    a, b = rng.sample(ANIMALS, 2)
    adj_a, adj_b = rng.sample(ADJ, 2)
    food, place = rng.choice(FOODS), rng.choice(PLACES)
    return (f"The {adj_a} {a} and the {adj_b} {b} both wanted the {food} at {place}. "
            f"The {a} {rng.choice(['pulled', 'pushed', 'shouted', 'argued'])}, but the {b} "
            f"{rng.choice(['waited', 'thought', 'listened', 'asked for help'])}. "
            f"In the end the {b} {rng.choice(['shared the', 'kept the', 'found more'])} {food}. "
            f"{rng.choice(MORALS)}")


def counting(rng: random.Random) -> str:
    name, full = person(rng)
    k = rng.randint(2, 9)
    thing = rng.choice(THINGS)
    return (f"{full} had {k} {thing}s. {name} gave one away and kept {k - 1}. "
            f"Then {name} found {k % 3 + 1} more, so {name} had {k - 1 + k % 3 + 1} {thing}s.")


def corpus_text() -> str:
    """The whole corpus, one paragraph per line (deterministic)."""
    rng = random.Random(2024)
    paragraphs, size = [], 0
    while size < TARGET_BYTES:
        roll = rng.random()
        text = story(rng) if roll < 0.6 else fable(rng) if roll < 0.8 else counting(rng) if roll < 0.93 \
            else rng.choice(SERVING)
        paragraphs.append(text)
        size += len(text) + 1
    return "\n".join(paragraphs) + "\n"


def main() -> None:
    text = corpus_text()
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {text.count(chr(10))} paragraphs, "
          f"{len(set(text))} distinct characters)")


if __name__ == "__main__":
    main()
