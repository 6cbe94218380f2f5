"""The originals the leak check looks for, and where their forms occur in a text.

Names and other text (normal_forms.WORDS) sit in an Aho-Corasick automaton, which finds every one of
them in a single pass in C, at any place of the text; only a hit is looked at in Python, to see that it
starts and ends on word bounds (and, for one word alone, that it is the whole cell). Each name is also
put in as "Surname, First", the order lists and letters use. Emails, phone numbers and codes (IBANs,
ID numbers) sit in a set, looked up with what normal_forms.candidates finds: their spellings vary in
separators, not in words; they are kept as 64-bit digests (formwork.masking.digest_set), a few bytes each
at millions of them. The forms stay in this process's memory (and its forked workers'): never written,
logged or named in a finding.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

from formwork.masking import normal_forms, offload
from formwork.masking.digest_set import DigestMap, digests

# The view as the automaton reads it (_spaced): words parted by one space; "Smith ,John" as "smith, john".
_RUNS = re.compile("  +")  # a literal first: the engine skips to each run in C
_COMMA = re.compile(" ,|,(?! )")
_NAME = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")  # a word of letters: the words normal_forms.SURNAME_FIRST reads
_NOT_A_WORD = re.compile(r"[^\w\t\n]*")  # what may stand beside a word that is a whole cell


@dataclass
class Originals:
    """The normal forms of every original the check looks for, by where they came from."""

    # spelling -> origin index, length and whether it must be a whole cell, packed in one C integer (see _packed)
    words: ahocorasick.Automaton = field(default_factory=lambda: ahocorasick.Automaton(ahocorasick.STORE_INTS))
    coded: DigestMap = field(default_factory=DigestMap)  # email, phone and code forms -> index in `origins`
    origins: list[str] = field(default_factory=list)  # "table.column"
    counted: int = 0  # original values added
    code_lengths: set[int] = field(default_factory=set)  # lengths of compact codes (IBANs...): cut points in text

    def __len__(self) -> int:
        offload.drain()
        return len(self.words) + len(self.coded)

    def add(self, origin: str, kind: str, values: Iterable[str]) -> None:
        if origin not in self.origins:
            self.origins.append(origin)
        index = self.origins.index(origin)
        batch = [value for value in values if isinstance(value, str)]
        offload.run(functools.partial(normalised, kind), batch, then=functools.partial(self._add_normalised, index))

    def _add_normalised(self, index: int, batch: Normalised) -> None:
        self.counted += batch.counted
        self.code_lengths |= batch.lengths
        for form in batch.words:
            for spelling in _spellings(form):
                if not self.words.exists(spelling):
                    self.words.add_word(spelling, _packed(index, len(spelling), " " not in form))
        self.coded.setdefault_digests(batch.coded, index)

    def drop(self, kind: str, values: Iterable[str]) -> None:
        """Values that stay (business rows of the same column) are no originals to look for."""
        self.forget({form for value in values for form in normal_forms.forms(kind, value)})

    def forget(self, forms: Iterable[str]) -> None:
        """Forms that are not to be looked for (found inside a fake, see formwork.masking.leaks.scan); ready() again after."""
        forms = list(forms)
        self.coded.remove(forms)
        for form in forms:
            for spelling in _spellings(form):
                self.words.remove_word(spelling)

    def ready(self) -> None:
        """Build the automaton once every original is in, before the search (and before its workers fork)."""
        offload.drain()
        self.coded.freeze()
        if len(self.words):
            self.words.make_automaton()

    def found(self, text: str, copied: bool = False) -> list[tuple[str, int]]:
        """(form, origin index) of every form found in `text` (a view is made of it), one per occurrence."""
        seen = normal_forms.view(text, copied)
        hits = self.coded.found(list(normal_forms.candidates(seen, self.code_lengths)))
        if len(self.words):
            spaced = _spaced(seen)
            for end, packed in self.words.iter(spaced):
                origin, length, alone = packed >> 33, packed >> 1 & 0xFFFFFFFF, packed & 1
                if _bounded(spaced, end + 1 - length, end + 1, alone):
                    hits.append((_form(spaced[end + 1 - length : end + 1]), origin))
        return hits


@dataclass
class Normalised:
    """Some originals of one kind as the check keeps them (see `normalised`)."""

    counted: int
    words: list[str]  # distinct forms of names and other text
    coded: bytes  # digests of email, phone and code forms, in order (digest_set.digests)
    lengths: set[int]  # lengths of the code forms


def normalised(kind: str, values: list[str]) -> Normalised:
    """The forms of some originals: pure, so a worker can compute them (formwork.masking.offload)."""
    words: dict[str, None] = {}
    coded: list[str] = []
    lengths: set[int] = set()
    for value in values:
        for form in normal_forms.forms(kind, value):
            if kind == normal_forms.WORDS:
                words[form] = None
                continue
            coded.append(form)
            if kind == normal_forms.CODE:
                lengths.add(len(form))
    return Normalised(len(values), list(words), digests(coded), lengths)


def _spaced(seen: str) -> str:
    """White space runs (and '_', NBSP) as one space, a comma followed by one: a few passes, each at C speed."""
    text = seen.replace("_", " ").replace("\xa0", " ")
    text = _COMMA.sub(", ", _RUNS.sub(" ", text) if "  " in text else text)
    return _RUNS.sub(" ", text) if "  " in text else text


def _packed(origin: int, length: int, alone: bool) -> int:
    return origin << 33 | length << 1 | alone  # a C long: up to a million origins, spellings up to 4 GB


def _spellings(form: str) -> list[str]:
    """A name as written, and as "Surname, First [Middle]" when all its words are words of letters."""
    words = form.split(" ")
    if len(words) > 1 and all(_NAME.fullmatch(word) for word in words):
        return [form, f"{words[-1]}, {' '.join(words[:-1])}"]
    return [form]


def _form(spelling: str) -> str:
    """The form a spelling found stands for: "smith, john paul" is "john paul smith"."""
    surname, comma, first = spelling.partition(", ")
    return f"{first} {surname}" if comma else spelling


# "John Smith's crew" names John Smith (as the scrubber reads it); "Smith'sons" is another word.
_POSSESSIVE = re.compile(r"'[sS](?![^\W_])")


def _bounded(text: str, start: int, end: int, alone: bool) -> bool:
    """Does text[start:end] start and end a word (normal_forms' words: letters and digits, joined by ' or -)?
    `alone`: and is it the only word of its cell (a tab or a line ends a cell)?"""
    if start and (text[start - 1].isalnum() or text[start - 1] in "'-" and start > 1 and text[start - 2].isalnum()):
        return False
    if end < len(text) and (
        text[end].isalnum()
        or text[end] in "'-"
        and end + 1 < len(text)
        and text[end + 1].isalnum()
        and not _POSSESSIVE.match(text, end)
    ):
        return False
    if not alone:
        return True
    cell_start = max(text.rfind("\t", 0, start), text.rfind("\n", 0, start)) + 1
    cell_end = min((at for at in (text.find("\t", end), text.find("\n", end)) if at >= 0), default=len(text))
    return bool(_NOT_A_WORD.fullmatch(text, cell_start, start) and _NOT_A_WORD.fullmatch(text, end, cell_end))
