"""Free text folded as the leak check's view folds it (formwork.masking.normal_forms), with the way back.

The scrubber looks for known names in the folded text and replaces the words they came from in the
original. Folded: tags and runs of white space (NBSP, line breaks, `&nbsp;`, '_') are one space, entities
are decoded, letters casefolded and stripped of accents (normal_forms.fold), so 'JOHN  Smith',
'<b>John</b> Smith', 'Ren&eacute;e' and 'Strauß' read as 'john smith', 'renee', 'strauss'.
`searched` gives the folded text alone, at C speed (normal_forms.view, a byte table, a regex): most texts
hold no known name and need nothing more. `fold` also keeps the way back to the original's offsets, for
the few that do: only the spans that change length (tags, entities, white-space runs, 'ß', combining
marks) are visited in Python, once each.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass

from formwork.masking import normal_forms

_SPACE = r"[\s_]"  # \s holds NBSP and the other Unicode spaces; '_' parts words for the check too
_SPACE_ENTITY_NAME = r"(?i:(?:nbsp|ensp|emsp|thinsp|tab|newline|#0*(?:9|10|13|32|160)|#x0*(?:9|a|d|20|a0));)"
_TAG = normal_forms.TAG.pattern
_GAP = rf"(?:{_SPACE}|{_TAG}|&{_SPACE_ENTITY_NAME})"
# The character references html.unescape decodes (its own pattern), as view() decodes them.
_ENTITY_NAME = r"(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)"


def _special(changing: str = "") -> re.Pattern:
    """Spans whose fold changes the length: a gap (white space run, tag, `&nbsp;`...: one space), an entity,
    one of the `changing` characters. Every one starts with a character of one class, which lets the
    regular expression engine skip to the next such character in C; which one it is, a lookbehind says."""
    return re.compile(
        rf"[\s_<&{changing}](?:(?<=[\s_]){_GAP}+|(?<=<){_TAG[1:]}{_GAP}*|(?<=&){_SPACE_ENTITY_NAME}{_GAP}*"
        rf"|(?<=&)(?P<entity>{_ENTITY_NAME})" + (rf"|(?<=[{changing}])(?P<char>)" if changing else "") + ")"
    )


SPECIAL = _special()
# Where the words of a matched name part: kept as they are when the fake's words take the name's places.
GAPS = re.compile(rf"({_GAP}+)")
ENTITY = re.compile(f"&{_ENTITY_NAME}")
# ASCII letters lower-cased and white space (and '_') as a space, byte for byte.
_ASCII = bytes(32 if re.fullmatch(_SPACE, chr(b)) else ord(chr(b).lower()) for b in range(128)) + bytes(range(128, 256))
_ODD_SPACE = re.compile("[_\t\n\r\x0b\x0c\x1c-\x1f\x85\u1680\u2028\u2029]")  # the white space NFKD leaves
_SPACES = re.compile(" {2,}")


class _Fold(dict):
    """code point -> its folded character, for str.translate; filled on first sight of each character.
    Characters whose fold is longer or empty ('ß' -> 'ss', a combining mark -> '') are SPECIAL, not here."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = " " if re.fullmatch(_SPACE, char) else normal_forms.fold(char)
        self[code] = value = folded if len(folded) == 1 else char
        return value


_FOLD = _Fold()


@functools.cache
def _special_any() -> re.Pattern:
    """SPECIAL plus every character of the Basic Multilingual Plane whose fold changes the length (built once, ~0.03 s)."""
    changing = [code for code in range(0x80, 0x10000) if not 0xD800 <= code < 0xE000 and len(normal_forms.fold(chr(code))) != 1]
    ranges, first = [], None
    for i, code in enumerate(changing):
        if first is None:
            first = code
        if i + 1 == len(changing) or changing[i + 1] != code + 1:
            ranges.append(f"\\u{first:04x}-\\u{code:04x}" if code > first else f"\\u{code:04x}")
            first = None
    return _special("".join(ranges))


@dataclass(frozen=True, slots=True)
class Folded:
    """A text folded, and where each piece of the folded text came from in the original."""

    folded: str
    starts: list[int] | None = None  # folded offset where each piece begins; None: same offsets as the original
    pieces: list[tuple[int, int, bool]] | None = None  # (original start, original end, folded to the same length)

    def start(self, at: int) -> int:
        """The original offset of the piece holding folded offset `at`."""
        if self.starts is None:
            return at
        i = bisect.bisect_right(self.starts, at) - 1
        begin, _, same = self.pieces[i]
        return begin + at - self.starts[i] if same else begin

    def end(self, at: int) -> int:
        """The original offset just after the piece holding folded offset `at - 1`."""
        if self.starts is None:
            return at
        i = bisect.bisect_right(self.starts, at - 1) - 1
        begin, end, same = self.pieces[i]
        return begin + at - self.starts[i] if same else end


def searched(text: str) -> str:
    """The folded text alone: what `fold(text).folded` is, without the map."""
    if text.isascii() and "<" not in text and "&" not in text:
        seen = _letters(text)
    else:
        seen = normal_forms.view(text)
        seen = _letters(seen) if seen.isascii() else _ODD_SPACE.sub(" ", seen)
    return _SPACES.sub(" ", seen) if "  " in seen else seen


def fold(text: str) -> Folded:
    """`text` folded with the map back; no map when folding kept every offset (most texts)."""
    if text.isascii() and "<" not in text and "&" not in text:
        folded = _letters(text)
        if "  " not in folded:
            return Folded(folded)
    special = SPECIAL if text.isascii() else _special_any()
    first = special.search(text)
    if first is None:
        return Folded(_letters(text))
    starts: list[int] = []
    pieces: list[tuple[int, int, bool]] = []
    parts: list[str] = []
    done = at = 0
    for match in special.finditer(text, first.start()):
        begin, end = match.span()
        replacement = _replacement(match)
        if replacement is None:
            continue
        if begin > done:
            starts.append(at)
            pieces.append((done, begin, True))
            parts.append(text[done:begin])
            at += begin - done
        starts.append(at)
        pieces.append((begin, end, False))
        parts.append(replacement)
        at += len(replacement)
        done = end
    if done < len(text):
        starts.append(at)
        pieces.append((done, len(text), True))
        parts.append(text[done:])
    return Folded(_letters("".join(parts)), starts, pieces)


def _replacement(match: re.Match) -> str | None:
    """What a special span folds to; None for an '&' that is no entity (left as it is)."""
    if match.lastgroup == "entity":
        decoded = html.unescape(match.group())
        return None if decoded == match.group() else normal_forms.fold(decoded).translate(_FOLD)
    if match.lastgroup == "char":
        return normal_forms.fold(match.group())
    return " "


def _letters(text: str) -> str:
    """Fold each character to one: same length, same offsets."""
    return text.encode().translate(_ASCII).decode() if text.isascii() else text.translate(_FOLD)
