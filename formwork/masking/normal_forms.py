"""One normal form for every way a person's value can be written, so the leak check finds each spelling.

Text is first reduced to a *view*: JSON and COPY escapes decoded, HTML tags dropped, entities decoded,
case folded (Unicode casefold), accents stripped, NBSP a plain space; words are runs of letters and
digits, so whitespace runs, punctuation and tags between them do not matter. A value's forms:
- a name or other text of two words or more: its first three words ("JOHN  SMITH" is "john smith"); in
  text, "Smith, John" (surname, comma, first names) is read as "john smith" too;
- a single word: itself, found only as a whole cell (a lone "Rose" inside a sentence is a plain word);
- an email: casefolded;
- a phone number: its national number (without country calling code or trunk zero): "+44 20 7946 0000" is
  found as "020 7946 0000" and the reverse;
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

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

MIN_LENGTH = 5
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
# An email is found from its '@' (a literal: the engine skips to each one in C), its local part read backwards from
# there: the same matches as r"[a-z0-9._%+\-]++@[a-z0-9.\-]+\.[a-z]{2,}", in a fraction of the time.
_EMAIL_DOMAIN = re.compile(r"@[a-z0-9.\-]+\.[a-z]{2,}")
_EMAIL_LOCAL = re.compile(r"[a-z0-9._%+\-]*")
# r"(?<![^\W_])\+?\d[\d \-./()]{5,}\d(?![^\W_])", starting with a character class so that the engine skips to each
# '+' or digit in C, instead of trying the look-behind at every place of the text.
DIGIT_RUN = re.compile(r"[+\d](?<![^\W_].)(?:(?<=\+)\d|(?<=\d))[\d \-./()]{5,}\d(?![^\W_])")
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
        return phone_forms(seen)
    if kind == CODE:
        compact = "".join(_WORD.findall(seen))
        if len(compact) < MIN_CODE:
            return set()
        return {compact}
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


def _dialled(written: str) -> tuple[str, bool]:
    """A phone number's digits without '+', '00', a trunk zero or "(0)", and whether it was written with a country
    code ('+' or '00')."""
    text = written.strip().replace("(0)", "")
    international = text.startswith(("+", "00"))
    digits = text.translate(_SEPARATORS)
    if digits.startswith("0"):
        digits = digits[2:] if digits.startswith("00") else digits[1:]
    return digits, international


def _national(digits: str) -> str | None:
    """The number after its country calling code (E.164 codes are prefix-free: one length fits), trunk zero dropped."""
    for length in (1, 2, 3):
        if int(digits[:length]) in COUNTRY_CODE_TO_REGION_CODE:
            rest = digits[length:]
            return rest[1:] if rest.startswith("0") else rest
    return None


def _phone(digits: str, international: bool) -> set[str]:
    """A number's national form: "+44 1260 300123", "0044 (0)1260 300123" and "01260 300123" are all "1260300123"
    ("SLIP/2026/03/00123" is no spelling of it). Eleven digits or more written without '+' may still carry a
    country code: both readings are forms."""
    if not digits.isdigit():
        return set()
    found = set()
    if not international:
        found.add(digits)
    if international or len(digits) >= 11:
        found.add(_national(digits) or digits)
    return {form for form in found if len(form) >= MIN_PHONE_DIGITS}


def phone_forms(written: str) -> set[str]:
    """The forms of a phone number as written: an original's, or one found in a text (the same forms on both sides)."""
    return _phone(*_dialled(written))


def _emails(seen: str) -> Iterator[str]:
    """The emails in a view, as re.findall would find them (leftmost, never overlapping)."""
    backwards, end = None, 0
    for match in _EMAIL_DOMAIN.finditer(seen):
        at = match.start()
        if backwards is None:
            backwards = seen[::-1]
        local = _EMAIL_LOCAL.match(backwards, len(seen) - at)
        start = max(at - (local.end() - local.start()), end)
        if start < at:
            yield seen[start : match.end()]
            end = match.end()


def candidates(seen: str, code_lengths: Collection[int] = ()) -> Iterator[str]:
    """Every part of a view that could be an email, phone or code form: emails, digit runs as phone numbers
    and as they are, codes compact (cut to the lengths of known codes)."""
    yield from _emails(seen)
    for run in DIGIT_RUN.findall(seen):
        yield from phone_forms(run)
        yield run.translate(_SEPARATORS)
    for code in _CODE.findall(seen):
        compact = code.translate(_SEPARATORS)
        yield compact
        yield from (compact[:n] for n in code_lengths if n < len(compact))
