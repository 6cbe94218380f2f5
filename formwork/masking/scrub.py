"""Find personal values inside free text and HTML and replace each with its masked value.

Detectors (regular expressions) catch emails, IBANs, phone numbers and UK NI
numbers whatever their origin; an Aho-Corasick automaton over the names and
street addresses the masked columns held catches people mentioned by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import ahocorasick

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
# Not inside a hyphenated token: a UUID's digit-only groups ("...-0123-4567-8901-...") are no phone number.
PHONE = re.compile(r"(?<![\w+\-])(?:\+\d{1,3}[ \-]?(?:\(0\))?|0)\d{2,4}(?:[ \-]?\d{2,4}){2,3}(?![\w\-])")
NATIONAL_ID = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
SALUTATION = re.compile(r"\b(Dear|Hi|Hello|Thanks|Thank you|Regards|Cheers),?\s+([A-Z][a-z'\-]{1,30})\b")

DETECTORS = {"email": EMAIL, "iban": IBAN, "phone_number": PHONE, "ssn": NATIONAL_ID}
# One left-to-right pass over all detectors, earlier ones winning, so a replaced value is never
# rescanned (a fake IBAN's digits must not be taken for a phone number).
KINDS = list(DETECTORS)
COMBINED = re.compile("|".join(f"(?P<g{i}>{DETECTORS[k].pattern})" for i, k in enumerate(KINDS)))
# The same detectors less the email one, group names unchanged. An email needs an '@' and every other
# kind a digit: most texts (names, plain notes) have neither and skip the costly alternation.
WITHOUT_EMAIL = re.compile("|".join(f"(?P<g{i}>{DETECTORS[k].pattern})" for i, k in enumerate(KINDS) if k != "email"))
_DIGIT = re.compile(r"\d")


def detector_for(text: str) -> re.Pattern | None:
    """The combined detector `text` needs (same matches as COMBINED), or None when nothing can match."""
    if "@" in text:
        return COMBINED
    return WITHOUT_EMAIL if _DIGIT.search(text) else None


class Scrubber:
    def __init__(self, replace: Callable[[str, str], str], first_name: Callable[[str], str]):
        """`replace(kind, original)` returns the fake of a detected value; `first_name` maps a first name."""
        self.replace = replace
        self.first_name = first_name
        self.automaton = ahocorasick.Automaton()
        self.whole: dict[str, Callable[[str], str]] = {}  # known original -> its fake, for texts that are one
        self._heads: dict[str, str] = {}  # the company part of "Company, Person" texts, scrubbed
        self._built = False

    def add_known(self, originals: Iterable[str], fake: Callable[[str], str]) -> None:
        """Known originals (names, streets), matched as whole words; `fake` maps one when it is found.
        Inside longer texts only those of two words or more are looked for (a lone 'Mark' or 'Rose'
        is too often a plain word); a text that is one of them, whatever its length, is replaced."""
        for original in originals:
            if not original:
                continue
            self.whole[original] = fake
            if len(original) >= 5 and " " in original:
                self.automaton.add_word(original, (len(original), original, fake))

    def _ensure_built(self) -> None:
        if not self._built:
            if len(self.automaton):
                self.automaton.make_automaton()
            self._built = True

    def scrub(self, text: str) -> str:
        if not text:
            return text
        detector = detector_for(text)
        if detector is not None:
            text = detector.sub(lambda m: self.replace(KINDS[int(m.lastgroup[1:])], m.group(0)), text)
        text = self._known(text)
        return SALUTATION.sub(lambda m: f"{m.group(1)} {self.first_name(m.group(2))}", text)

    def _known(self, text: str) -> str:
        self._ensure_built()
        whole = self.whole.get(text)
        if whole is not None:  # e.g. a display name that is just the person's name
            return whole(text)
        head, comma, tail = text.rpartition(", ")
        if comma and tail in self.whole:  # "Company, Person": Odoo's display name of a contact
            known = self._heads.get(head)
            if known is None:
                known = self._heads[head] = self._known(head)
            return known + comma + self.whole[tail](tail)
        if not len(self.automaton) or self.automaton.kind != ahocorasick.AHOCORASICK:
            return text
        hits = []
        for end, (length, original, fake) in self.automaton.iter_long(text):
            start = end - length + 1
            if (start == 0 or not text[start - 1].isalnum()) and (end + 1 == len(text) or not text[end + 1].isalnum()):
                hits.append((start, end + 1, original, fake))
        if not hits:
            return text
        out, last = [], 0
        for start, stop, original, fake in hits:
            if start >= last:
                out.append(text[last:start])
                out.append(fake(original))
                last = stop
        out.append(text[last:])
        return "".join(out)
