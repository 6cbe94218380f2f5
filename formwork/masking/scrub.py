"""Find personal values inside free text and HTML and replace each with its masked value.

Detectors (regular expressions) catch emails, IBANs, phone numbers and UK NI
numbers whatever their origin; an Aho-Corasick automaton over the names and
street addresses the masked columns held catches people mentioned by name.

What the leak check recognises as an original, the scrubber replaces (formwork.masking.normal_forms):
names are looked for in the text folded as the check's view folds it (formwork.masking.folded), so
'JOHN SMITH', 'john  smith', 'John&nbsp;Smith', '<b>John</b> Smith', 'Renee Muller' for 'Renée Müller'
and 'Strauss' for 'Strauß' are found, and 'Smith, John' too. Each becomes the person's one fake, in
the case the text wrote the name in (upper, lower, or the fake's own) and in the same order ('Jones,
Paul'); the words of the fake take the places of the name's words, so the tags and spaces between
them stay. Emails, phones and IBANs get the fake of their normal form whatever their layout
(formwork.masking.fakes: the fake is a function of the casefolded email, of a phone's last nine digits,
of an IBAN's compact upper-case form); an IBAN not written in upper case is only taken as one when
its check digits are right. A known phone number in a layout the PHONE detector does not take ('7700
900123', '07700.900.123') is found as the leak check finds it, by its last digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import ahocorasick

from formwork.masking import normal_forms, offload
from formwork.masking.digest_set import DigestSet, digests
from formwork.masking.folded import ENTITY, GAPS, Folded, fold, searched
from formwork.seed.iban import check_digits

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
# In text, any case: a match that is not upper case must have valid check digits (iban_like).
IBAN_ANY_CASE = re.compile(r"\b(?i:[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")
# Not inside a hyphenated token: a UUID's digit-only groups ("...-0123-4567-8901-...") are no phone number.
# A national number may put its area code in brackets: "(07700) 900-123".
PHONE = re.compile(r"(?<![\w+\-])(?:(?:\+\d{1,3}[ \-]?(?:\(0\))?|0)\d{2,4}|\(0\d{2,4}\))(?:[ \-]?\d{2,4}){2,3}(?![\w\-])")
NATIONAL_ID = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
SALUTATION = re.compile(r"\b(Dear|Hi|Hello|Thanks|Thank you|Regards|Cheers),?\s+([A-Z][a-z'\-]{1,30})\b")

DETECTORS = {"email": EMAIL, "iban": IBAN, "phone_number": PHONE, "ssn": NATIONAL_ID}
# One left-to-right pass over all detectors, earlier ones winning, so a replaced value is never
# rescanned (a fake IBAN's digits must not be taken for a phone number).
KINDS = list(DETECTORS)
_IN_TEXT = {**DETECTORS, "iban": IBAN_ANY_CASE}
COMBINED = re.compile("|".join(f"(?P<g{i}>{_IN_TEXT[k].pattern})" for i, k in enumerate(KINDS)))
# The same detectors less the email one, group names unchanged. An email needs an '@' and every other
# kind a digit: most texts (names, plain notes) have neither and skip the costly alternation.
WITHOUT_EMAIL = re.compile("|".join(f"(?P<g{i}>{_IN_TEXT[k].pattern})" for i, k in enumerate(KINDS) if k != "email"))
_DIGIT = re.compile(r"\d")


def detector_for(text: str) -> re.Pattern | None:
    """The combined detector `text` needs (same matches as COMBINED), or None when nothing can match."""
    if "@" in text:
        return COMBINED
    return WITHOUT_EMAIL if _DIGIT.search(text) else None


def kind_of(match: re.Match) -> str | None:
    """The kind a detector match is, or None for IBAN-shaped words that are no IBAN ('ab12 from 2026')."""
    kind = KINDS[int(match.lastgroup[1:])]
    if kind == "iban" and not match.group(0).isupper() and not iban_like(match.group(0)):
        return None
    return kind


def iban_like(text: str) -> bool:
    """Its ISO 13616 check digits are the ones its country and account give."""
    compact = text.replace(" ", "").upper()
    return compact[2:4] == check_digits(compact[:2], compact[4:])


class Scrubber:
    def __init__(self, replace: Callable[[str, str], str], first_name: Callable[[str], str]):
        """`replace(kind, original)` returns the fake of a detected value; `first_name` maps a first name."""
        self.replace = replace
        self.first_name = first_name
        self.automaton = ahocorasick.Automaton()  # folded form -> (its length, the original whose fake it gets)
        self.whole: dict[str, Callable[[str], str]] = {}  # known original -> its fake, for texts that are one
        self.single: dict[str, str] = {}  # folded one-word form -> original: replaced where it is a whole text
        self.numbers = DigestSet()  # known phone numbers, as the leak check compares them (national number)
        self._firsts: set[str] = set()  # first words of the forms: only a comma before one can start "Smith, John"
        self._heads: dict[str, str] = {}  # the company part of "Company, Person" texts, scrubbed
        self._built = False

    def add_known(self, originals: Iterable[str], fake: Callable[[str], str]) -> None:
        """Known originals (names, streets), matched as whole words; `fake` maps one when it is found.
        Inside longer texts only those of two words or more are looked for (a lone 'Mark' or 'Rose'
        is too often a plain word); a text that is one of them, whatever its length, is replaced, and so
        is a text that is only a one-word form the leak check looks for as a whole cell ('MADONNA.').
        Each is looked for folded, with the leak check's forms of it where they differ ('John Smith' for
        'Smith, John'); spellings that fold alike ('Renee Muller', 'Renée Müller') find the original of
        _first (a deterministic choice), unless the text holds one of them exactly."""
        for original in originals:
            if not original:
                continue
            self.whole[original] = fake
            for form in _forms(original):
                if " " in form:
                    self._firsts.add(form.partition(" ")[0])
                    current = self.automaton.get(form, None)
                    if current is None or _first(original, current[1]):
                        self.automaton.add_word(form, (len(form), original))
                elif form not in self.single or _first(original, self.single[form]):
                    self.single[form] = original

    def add_known_numbers(self, originals: Iterable[str]) -> None:
        """Phone numbers the masked columns held: found in layouts the PHONE detector does not know
        ('7700 900123', '07700.900.123') wherever the leak check would find them, and replaced as phones."""
        offload.run(_phone_digests, list(originals), then=self.numbers.add_digests)

    def _ensure_built(self) -> None:
        if not self._built:
            if len(self.automaton):
                self.automaton.make_automaton()
            fold("Strauß")  # builds the folding tables (formwork.masking.folded) once, before workers fork
            self.numbers.freeze()
            self._built = True

    def scrub(self, text: str) -> str:
        if not text:
            return text
        detector = detector_for(text)
        if detector is not None:
            text = self._numbers(text, detector) if self.numbers else detector.sub(self._detected, text)
        text = self._known(text)
        return SALUTATION.sub(lambda m: f"{m.group(1)} {self.first_name(m.group(2))}", text)

    def _detected(self, match: re.Match) -> str:
        kind = kind_of(match)
        return match.group(0) if kind is None else self.replace(kind, match.group(0))

    def _numbers(self, text: str, detector: re.Pattern) -> str:
        """The detectors' replacements, and known phone numbers in the text between them (never inside
        a value a detector found or a fake it wrote: a fake IBAN's digits may end like somebody's phone)."""
        out, last = [], 0
        for match in detector.finditer(text):
            out += [normal_forms.DIGIT_RUN.sub(self._number, text[last : match.start()]), self._detected(match)]
            last = match.end()
        out.append(normal_forms.DIGIT_RUN.sub(self._number, text[last:]))
        return "".join(out)

    def _number(self, match: re.Match) -> str:
        known = any(form in self.numbers for form in normal_forms.phone_forms(match.group(0)))
        return self.replace("phone_number", match.group(0)) if known else match.group(0)

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
        in_text = len(self.automaton) and self.automaton.kind == ahocorasick.AHOCORASICK
        if not in_text and not self.single:
            return text
        seen = searched(text)
        hits = self._alone(seen) or (self._hits(seen) if in_text else [])
        if not hits:
            return text
        folded = fold(text)  # a name is there: now the way back to the original's words
        if folded.folded != seen:
            hits = self._alone(folded.folded) or (self._hits(folded.folded) if in_text else [])
        return self._replaced(text, folded, hits)

    def _alone(self, seen: str) -> list[tuple[int, int, str, bool]]:
        """A text that is one known one-word form, marks around it allowed."""
        if self.single and len(seen) <= _LONGEST_WORD and (match := _ALONE.fullmatch(seen)):
            original = self.single.get(match.group(1))
            if original is not None:
                return [(match.start(1), match.end(1), original, False)]
        return []

    def _hits(self, seen: str) -> list[tuple[int, int, str, bool]]:
        """(start, stop, original, surname first) of known names in folded text, by position."""
        hits = []
        for end, (length, original) in self.automaton.iter_long(seen):
            start = end - length + 1
            if (start == 0 or not seen[start - 1].isalnum()) and (end + 1 == len(seen) or not seen[end + 1].isalnum()):
                hits.append((start, end + 1, original, False))
        if "," in seen:  # "Smith, John [Paul]", as the leak check reads it (normal_forms._in_order)
            for comma in _COMMA.finditer(seen):
                if comma.group(1) not in self._firsts:
                    continue
                begin = seen.rfind(" ", 0, max(comma.start() - 1, 0)) + 1  # the word before the comma (and a space)
                match = normal_forms.SURNAME_FIRST.search(seen, begin, comma.end() + _LONGEST_NAME)
                if match is None or match.start(2) != comma.start(1):
                    continue
                surname, first, middle = match.groups()
                tries = [(f"{first} {middle} {surname}", match.end())] if middle else []
                for form, stop in tries + [(f"{first} {surname}", match.end(2))]:
                    if (found := self.automaton.get(form, None)) is not None:
                        hits.append((match.start(), stop, found[1], True))
                        break
            hits.sort(key=lambda hit: (hit[0], -hit[1]))
        return hits

    def _replaced(self, text: str, folded: Folded, hits: list[tuple[int, int, str, bool]]) -> str:
        out, last, reached = [], 0, 0
        for start, stop, original, surname_first in hits:
            if start < reached:  # overlaps a name already replaced
                continue
            reached = stop
            begin, end = folded.start(start), folded.end(stop)
            written = text[begin:end]
            exact = None if surname_first else self.whole.get(written)
            fake = _cased(written, exact(written) if exact is not None else self.whole[original](original))
            out += [text[last:begin], _surname_first(fake) if surname_first else _in_places(written, fake)]
            last = end
        out.append(text[last:])
        return "".join(out)


_COMMA = re.compile(r",[^\S\t\n]*([^\W\d_]+(?:['\-][^\W\d_]+)*)")  # a comma and the name word after it
_LONGEST_NAME = 80
_ALONE = re.compile(r"[^\w]*([^\W_]+(?:['\-][^\W_]+)*)[^\w]*")
_LONGEST_WORD = 100
# Originals whose forms are their plain lower-case spelling: ASCII words, single spaces, at most three words.
_PLAIN = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*(?: [A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*){0,2}")


def _phone_digests(originals: list[str]) -> bytes:
    """The digests of the phone numbers' forms, as `numbers` keeps them: pure, for a worker (formwork.masking.offload)."""
    return digests(form for original in originals for form in normal_forms.forms(normal_forms.PHONE, original))


def _forms(original: str) -> set[str]:
    """The folded original (if two words or more) and the leak check's forms of it."""
    if _PLAIN.fullmatch(original):  # what normal_forms.forms would give, without its cost
        form = original.lower()
        return {form} if len(form) >= normal_forms.MIN_LENGTH else set()
    whole = searched(original).strip()
    found = normal_forms.forms(normal_forms.WORDS, original)
    return found | {whole} if " " in whole and len(whole) >= normal_forms.MIN_LENGTH else found


def _first(original: str, other: str) -> bool:
    """Whether `original` is the one a form shared with `other` stands for: the one in mixed case, then the least."""
    return (original.isupper() or original.islower(), original) < (other.isupper() or other.islower(), other)


def _cased(written: str, fake: str) -> str:
    """The fake in the case the text wrote the name in: upper, lower, or the fake's own."""
    letters = GAPS.sub(" ", written) if "<" in written or "&" in written else written
    if "&" in letters:
        letters = ENTITY.sub("", letters)
    if letters.isupper():
        return fake.upper()
    if letters.islower():
        return fake.lower()
    return fake


def _surname_first(fake: str) -> str:
    """ "Paul Jones" written as "Smith, John" was: "Jones, Paul"."""
    *first, last = fake.split(" ")
    return f"{last}, {' '.join(first)}" if first else fake


def _in_places(written: str, fake: str) -> str:
    """The fake's words in the places of the written name's words, the spaces and tags between them kept;
    the fake whole where the counts differ."""
    parts = GAPS.split(written)
    words = fake.split(" ")
    if len(parts) == 1 or len(words) != (len(parts) + 1) // 2:
        return fake if "<" not in written else fake + "".join(part for part in parts[1::2])
    parts[::2] = words
    return "".join(parts)
