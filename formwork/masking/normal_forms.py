"""One normal form for every way a person's value can be written, so the leak check finds each spelling.

Text is first reduced to a *view*: JSON and COPY escapes decoded, HTML tags dropped, entities decoded,
case folded (Unicode casefold), accents stripped, NBSP a plain space; words are runs of letters and
digits, so whitespace runs, punctuation and tags between them do not matter. A value's forms:
- a name or other text of two words or more: its first three words ("JOHN  SMITH" is "john smith"); in
  text, "Smith, John" (surname, comma, first names) is read as "john smith" too;
- a single word: itself, found only as a whole cell (a lone "Rose" inside a sentence is a plain word);
- an email: casefolded;
- a phone number: its last nine digits, the same with or without country code and trunk zero;
- an IBAN, account, ID or passport number: its letters and digits, compact.
formwork.masking.originals searches a view for them: names with an automaton, emails, phone numbers and
codes by looking up each candidate (emails, digit runs, codes) in a set.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Collection, Iterator

MIN_LENGTH = 5
PHONE_DIGITS = 9  # compared: the national number without trunk zero or country code ends the same
MIN_PHONE_DIGITS = 7
MIN_CODE = 6

WORDS, EMAIL, PHONE, CODE = "words", "email", "phone", "code"
KIND_OF_PROVIDER = {
    "name": WORDS,
    "street_address": WORDS,
    "email": EMAIL,
    "phone_number": PHONE,
    "iban": CODE,
    "ssn": CODE,
    "passport_number": CODE,
    "license_plate": CODE,
}

_JSON_SPACE = re.compile(r"\\\\[nrtbf]")  # a JSON escape of white space, as COPY prints it (backslash doubled)
_JSON_CHAR = re.compile(r"\\\\u([0-9a-fA-F]{4})")
_COPY_ESCAPE = re.compile(r"\\(?:\\|[nrtvbf])")  # COPY's escapes inside a value: never a cell or row end
TAG = re.compile(r"<[^<>\t\n]{0,500}>")
_SEPARATOR_ENTITY = re.compile(r"&(?:#0*(?:9|10|13)|#x0*(?:9|a|d)|tab|newline);", re.IGNORECASE)
_MARKS = re.compile(r"[\u0300-\u036f]")

_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")  # "mary-jane", "o'brien": one word each
# Words, and every other mark on its own: a pair of words is only one where nothing but space parts them
# ("David Stanley - May 2026" holds no "Stanley May").
_TOKEN = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*|[^\w \xa0]")
_NAME_WORD = r"([^\W\d_]++(?:['\-][^\W\d_]++)*+)"  # possessive: a word is never tried again shorter
SURNAME_FIRST = re.compile(rf"(?<![^\W_]){_NAME_WORD}[^\S\t\n]*+,[^\S\t\n]*+{_NAME_WORD}(?:[^\S\t\n]++{_NAME_WORD})?")
_EMAIL = re.compile(r"[a-z0-9._%+\-]++@[a-z0-9.\-]+\.[a-z]{2,}")
DIGIT_RUN = re.compile(r"(?<![^\W_])\+?\d[\d \-./()]{5,}\d(?![^\W_])")
_CODE = re.compile(
    r"(?<![^\W_])(?:[a-z]{2}\d{2}(?:[ \-]?[a-z0-9]){4,30}|[a-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]"
    r"|(?=[a-z]*+\d)[^\W_]{6,})"
)
_SEPARATORS = str.maketrans("", "", " -./()+")


def view(text: str, copied: bool = False) -> str:
    """`text` as the search sees it; `copied`: COPY text output, whose tabs and newlines end cells and rows."""
    if copied and "\\" in text:
        text = _JSON_SPACE.sub(" ", text)
        text = _JSON_CHAR.sub(_json_char, text)
        text = _COPY_ESCAPE.sub(" ", text)
    if "<" in text:
        text = TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(_SEPARATOR_ENTITY.sub(" ", text))
    return fold(text)


def fold(text: str) -> str:
    """Letters as the search compares them: casefolded, compatibility forms decomposed, accents dropped."""
    text = text.casefold()
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return text


def _json_char(match: re.Match) -> str:
    char = chr(int(match.group(1), 16))
    return " " if char in "\t\n\r" else char


def forms(kind: str, value: str) -> set[str]:
    """The normal forms of one original value of a column of that kind (KIND_OF_PROVIDER)."""
    seen = view(value)
    if kind == EMAIL and "@" in seen:
        return {seen.strip()}
    if kind == PHONE:
        return _phone(seen.translate(_SEPARATORS))
    if kind == CODE:
        compact = "".join(_WORD.findall(seen))
        if len(compact) < MIN_CODE:
            return set()
        return {compact} | (_phone(compact) if compact.isdigit() else set())
    found = set(_in_order(seen))
    words = list(itertools.takewhile(_WORD.fullmatch, _TOKEN.findall(seen)))  # up to the first mark
    if len(words) == 1 and (len(words[0]) >= MIN_LENGTH or any(c.isdigit() for c in words[0])):
        found.add(words[0])
    elif len(words) > 1:
        found.add(" ".join(words[:3]))
    return {form for form in found if len(form) >= MIN_LENGTH}


def _in_order(seen: str) -> Iterator[str]:
    """ "Smith, John [Paul]" as "john smith" and "john paul smith"."""
    for surname, first, middle in SURNAME_FIRST.findall(seen):
        yield f"{first} {surname}"
        if middle:
            yield f"{first} {middle} {surname}"


def _phone(digits: str) -> set[str]:
    return {digits[-PHONE_DIGITS:]} if digits.isdigit() and len(digits) >= MIN_PHONE_DIGITS else set()


def candidates(seen: str, code_lengths: Collection[int] = ()) -> Iterator[str]:
    """Every part of a view that could be an email, phone or code form: emails, the last digits of digit
    runs, codes compact (cut to the lengths of known codes)."""
    yield from _EMAIL.findall(seen)
    for run in DIGIT_RUN.findall(seen):
        digits = run.translate(_SEPARATORS)
        yield digits[-PHONE_DIGITS:]
        yield digits
    for code in _CODE.findall(seen):
        compact = code.translate(_SEPARATORS)
        yield compact
        yield from (compact[:n] for n in code_lengths if n < len(compact))
