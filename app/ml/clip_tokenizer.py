"""CLIP's byte-pair tokenizer without torch, for the query path.

The same algorithm and vocabulary as open_clip's `SimpleTokenizer` (from OpenAI's CLIP, MIT
License, Copyright (c) 2021 OpenAI), with its default cleaning ("lower": ftfy, HTML entities,
whitespace, lower case) and plain truncation, returning numpy arrays. The vocabulary file is
read from the installed open_clip package without importing it (importing open_clip imports
torch and torchvision, seconds on a laptop). A test checks it token for token against
open_clip's own.
"""

from __future__ import annotations

import gzip
import html
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

VOCABULARY = "bpe_simple_vocab_16e6.txt.gz"
MERGES = 49152 - 256 - 2
INFINITY = float("inf")


def vocabulary_file() -> Path:
    """open_clip's BPE merges file, found without running open_clip's `__init__`."""
    spec = importlib.util.find_spec("open_clip")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        path = Path(folder) / VOCABULARY
        if path.is_file():
            return path
    raise FileNotFoundError(f"open_clip's {VOCABULARY} is not installed")


def read_merges(path: Path) -> list[str]:
    """The byte-pair merges, in rank order, from open_clip's gzipped vocabulary file."""
    return gzip.open(path).read().decode("utf-8").split("\n")[1 : MERGES + 1]


@lru_cache
def _bytes_to_unicode() -> dict[int, str]:
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, [chr(c) for c in codes], strict=True))


def _pairs(word: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(word, word[1:], strict=False))


def clean(text: str) -> str:
    """open_clip's "lower" cleaning: ftfy, HTML entities twice, whitespace runs, lower case."""
    if not _left_alone_by_ftfy(text):
        import ftfy  # 25-45 ms to import and warm: most queries are plain words

        text = ftfy.fix_text(text)
    text = html.unescape(html.unescape(text)).strip()
    return " ".join(text.split()).strip().lower()


def _left_alone_by_ftfy(text: str) -> bool:
    """Whether `ftfy.fix_text` returns `text` as it is: printable ASCII (its fixes are of
    mis-decoded and other non-ASCII text, line breaks, control characters) without an HTML
    entity (which it unescapes once more)."""
    return text.isascii() and text.isprintable() and "&" not in text


class ClipTokenizer:
    """Texts to CLIP token ids: start, byte-pair tokens, end, zero padding to the context."""

    def __init__(self, context_length: int = 77, merges: list[str] | None = None) -> None:
        import regex

        merges = merges if merges is not None else read_merges(vocabulary_file())
        symbols = list(_bytes_to_unicode().values())
        special = ["<start_of_text>", "<end_of_text>"]
        # Each merge is "first second"; the token it makes is the two joined. Both tables are
        # built by dict(zip(...)) over strings, without a tuple per merge: 0.02 s, not 0.06 s
        # of a 0.6 s command-line search.
        vocab = [*symbols, *(s + "</w>" for s in symbols), *(m.replace(" ", "") for m in merges), *special]
        self.encoder = dict(zip(vocab, range(len(vocab)), strict=True))
        self.ranks = dict(zip(merges, range(len(merges)), strict=True))
        self.cache = {t: t for t in special}
        self.pattern = regex.compile(
            "|".join(special) + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE,
        )
        self.sot, self.eot = self.encoder[special[0]], self.encoder[special[1]]
        self.context_length = context_length

    def _rank(self, pair: tuple[str, str]) -> float:
        return self.ranks.get(f"{pair[0]} {pair[1]}", INFINITY)

    def bpe(self, token: str) -> str:
        if token in self.cache:
            return self.cache[token]
        word: tuple[str, ...] = (*token[:-1], token[-1] + "</w>")
        pairs = _pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=self._rank)
            if self._rank(bigram) == INFINITY:
                break
            first, second = bigram
            merged: list[str] = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    merged.extend(word[i:])
                    break
                merged.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
            if len(word) == 1:
                break
            pairs = _pairs(word)
        joined = " ".join(word)
        self.cache[token] = joined
        return joined

    def encode(self, text: str) -> list[int]:
        byte_encoder = _bytes_to_unicode()
        ids: list[int] = []
        for token in self.pattern.findall(clean(text)):
            unicode_token = "".join(byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self.encoder[piece] for piece in self.bpe(unicode_token).split(" "))
        return ids

    def __call__(self, texts: list[str]) -> np.ndarray:
        """(len(texts), context_length) int64 ids, as open_clip's tokenizer gives them."""
        out = np.zeros((len(texts), self.context_length), dtype=np.int64)
        for row, text in enumerate(texts):
            ids = [self.sot, *self.encode(text), self.eot]
            if len(ids) > self.context_length:
                ids = ids[: self.context_length]
                ids[-1] = self.eot
            out[row, : len(ids)] = ids
        return out
