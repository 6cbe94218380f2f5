"""The text inside a file, where a search of its bytes cannot see it: what the leak check searches in files.

Besides the bytes themselves (as latin-1, and as UTF-8 when they are not plain ASCII), this reads:
- PDF: every stream, decoded through FlateDecode / ASCII85Decode / ASCIIHexDecode (object streams included), and
  the literal and hex strings of its text operators, those of one TJ array joined (a kerned "Ma" -20 "ria" is
  "Maria"; a gap of more than 200/1000 em counts as a space). Not caught: text drawn with a font whose codes are
  not its letters (CID fonts without a one-byte encoding, subset fonts with made-up encodings: the letters only a
  ToUnicode map gives back), text split over separate Tj operators, and text in images (there is no OCR).
  Image streams (an /Image XObject, or a DCT, JPX, CCITT or JBIG2 filter) are not decoded: pixels, not text.
- ZIP (DOCX, XLSX, PPTX, ODT, ODS, any archive): every member, read the same way (so a PDF in a DOCX is read too),
  and for XML members their text with the tags taken out, runs joined and paragraphs, cells and breaks apart.

Bounded: at most MAX_DECODED bytes are decoded per file, archives at most MAX_DEPTH deep. A file that cannot be
read fully (over the bound, an encrypted PDF or archive member, a stream that does not decode, a filter this does
not know) raises Unsearchable: the leak check reports it as a finding, since what it did not read may hold a person.
Such a file goes through only replaced: an `attachments:` rule matching it. The file itself is read whole (as the
filestore hands it over); an archive member is read whole too, within the bound.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator

MAX_DECODED = 128 << 20
MAX_DEPTH = 3
IMAGE_FILTERS = {b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode"}
_OTHER_FILTERS = {b"LZWDecode", b"LZW", b"RunLengthDecode", b"RL", b"Crypt"}


class Unsearchable(Exception):
    """Part of the file could not be read; the message says why (never what it holds)."""


def texts(data: bytes) -> Iterator[str]:
    """The file's bytes and every text decoded from inside it, as strings to search one by one."""
    yield from _texts(data, [MAX_DECODED], 0)


def _texts(data: bytes, budget: list[int], depth: int) -> Iterator[str]:
    yield data.decode("latin-1")
    if not data.isascii():
        yield data.decode("utf-8", "replace")
    if b"%PDF-" in data[:1024]:
        yield from _pdf(data, budget)
    elif data.startswith(b"PK\x03\x04"):
        yield from _archive(data, budget, depth)


# ---- PDF -------------------------------------------------------------------------------------------------------------
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_TEXT_ARRAY = re.compile(rb"\[((?:[^\]\\]|\\.)*)\]\s*TJ", re.DOTALL)
_ARRAY_ITEM = re.compile(rb"\(((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*)\)|<([0-9A-Fa-f\s]*)>|(-?\d*\.?\d+)", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf(data: bytes, budget: list[int]) -> Iterator[str]:
    if re.search(rb"/Encrypt\b", data):
        raise Unsearchable("an encrypted PDF")
    position = 0
    while match := _STREAM.search(data, position):
        header = data[data.rfind(b"obj", 0, match.start()) : match.start()]
        content, position = _stream_data(data, match.end(), header)
        filters = re.findall(rb"/([A-Za-z0-9]+)", f.group(1)) if (f := _FILTER.search(header)) else []
        if IMAGE_FILTERS & set(filters) or _IMAGE.search(header):
            continue
        for name in filters:
            content = _decoded(name, content, budget)
        if filters:
            yield content.decode("latin-1")
        yield from _shown_text(content)


def _stream_data(data: bytes, start: int, header: bytes) -> tuple[bytes, int]:
    """A stream's bytes and where they end: /Length of them when it is a number and `endstream` follows, else up
    to `endstream`."""
    length = _LENGTH.search(header)
    if length:
        end = start + int(length.group(1))
        if data[end : end + 12].lstrip().startswith(b"endstream"):
            return data[start:end], end
    end = data.find(b"endstream", start)
    if end < 0:
        raise Unsearchable("a PDF stream without its end")
    return data[start:end], end


def _decoded(name: bytes, content: bytes, budget: list[int]) -> bytes:
    try:
        if name in (b"FlateDecode", b"Fl"):
            inflate = zlib.decompressobj()
            out = inflate.decompress(content, max(budget[0], 0) + 1)
            if not inflate.eof and len(out) <= budget[0]:
                raise Unsearchable("a PDF stream that does not decompress")
        elif name in (b"ASCII85Decode", b"A85"):
            out = base64.a85decode(content.strip().removesuffix(b"~>") + b"~>", adobe=False, ignorechars=b" \t\r\n\x00\x0c")
        elif name in (b"ASCIIHexDecode", b"AHx"):
            out = _hex(content.rstrip().removesuffix(b">"))
        else:
            known = name.decode() if name in _OTHER_FILTERS else "not a standard one"  # never a name the file made up
            raise Unsearchable(f"a PDF stream filter not read: {known}")
    except (zlib.error, ValueError, binascii.Error) as exc:
        raise Unsearchable(f"a PDF stream that does not decode ({type(exc).__name__})") from None
    _spend(budget, len(out))
    return out


def _shown_text(content: bytes) -> Iterator[str]:
    """The strings of each TJ array joined, one text per array (`(...) Tj` strings are in the bytes already)."""
    for array in _TEXT_ARRAY.finditer(content):
        parts = []
        for literal, hexa, number in _ARRAY_ITEM.findall(array.group(1)):
            if number:
                parts.append(b" " if float(number) < -200 else b"")
            else:
                parts.append(_hex(hexa) if hexa else _unescaped(literal))
        yield _string(b"".join(parts))


def _hex(text: bytes) -> bytes:
    """A PDF hex string's bytes; a missing last digit is 0."""
    digits = re.sub(rb"\s", b"", text)
    return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _unescaped(literal: bytes) -> bytes:
    def one(match: re.Match) -> bytes:
        escape = match.group(1)
        if escape[:1].isdigit():
            return bytes([int(escape, 8) & 0xFF])
        return _ESCAPES.get(escape, b"" if escape in (b"\n", b"\r") else escape)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.DOTALL)


def _string(raw: bytes) -> str:
    """A PDF text string: UTF-16 when it starts with a byte order mark, else one byte a letter."""
    return raw[2:].decode("utf-16-be", "replace") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


# ---- ZIP -------------------------------------------------------------------------------------------------------------
_BREAK = re.compile(r"</?(?:[\w.-]+:)?(?:p|br|tab|tc|tr|c|si|row|h|line-break|cr|s|sheet|cell|table-cell)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def _archive(data: bytes, budget: list[int], depth: int) -> Iterator[str]:
    if depth >= MAX_DEPTH:
        raise Unsearchable(f"an archive nested more than {MAX_DEPTH} deep")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if member.is_dir():
                    continue
                if member.flag_bits & 0x1:
                    raise Unsearchable("an encrypted archive member")
                _spend(budget, member.file_size)
                with archive.open(member) as stream:
                    content = stream.read(member.file_size + 1)
                if len(content) != member.file_size:
                    raise Unsearchable("an archive member that does not read whole")
                yield from _texts(content, budget, depth + 1)
                if content[:64].lstrip()[:1] == b"<":
                    markup = content.decode("utf-8", "replace")
                    yield html.unescape(_TAG.sub("", _BREAK.sub("\n", markup)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, zlib.error, ValueError) as exc:
        raise Unsearchable(f"an archive that does not open ({type(exc).__name__})") from None


def _spend(budget: list[int], size: int) -> None:
    budget[0] -= size
    if budget[0] < 0:
        raise Unsearchable(f"more than {MAX_DECODED:,} bytes decoded")
