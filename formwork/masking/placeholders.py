"""What a personal file becomes: the smallest valid file of its type, so Odoo's preview of it still opens.

A PDF stays a PDF, a photo a PNG or JPEG, a Word or Excel file a DOCX or XLSX; text types keep their type with a
line of text; anything else becomes that line as text/plain, and the row's mimetype says so. Every placeholder is
the same bytes each time (no dates inside), so each type is one file in the filestore however many rows use it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from formwork.seed.documents import pdf

PLACEHOLDER_TEXT = "Personal document withheld: this is a masked copy made by Formwork."
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"


def placeholder(mimetype: str | None) -> bytes:
    """The placeholder for a file of `mimetype`: of type placeholder_type(mimetype)."""
    maker = _MAKERS.get(placeholder_type(mimetype))
    return maker() if maker else (PLACEHOLDER_TEXT + "\n").encode()


def placeholder_type(mimetype: str | None) -> str:
    """The mimetype the placeholder of a `mimetype` file has: the same, or text/plain when there is no maker for it."""
    return mimetype if mimetype in _MAKERS or (mimetype or "").startswith("text/") else TEXT


def _png() -> bytes:
    """1x1, one white pixel (8-bit greyscale)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff"))
        + chunk(b"IEND", b"")
    )


def _jpeg() -> bytes:
    """8x8 baseline greyscale, mid grey: one block whose DC difference and AC coefficients are all zero, so each
    Huffman table needs one code (symbol 0: "0"), and the scan is the two bits "00" padded with ones."""

    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data

    one_code = bytes([1] + [0] * 15) + b"\x00"
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + b"\x01" * 64)
        + segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + one_code)
        + segment(0xC4, b"\x10" + one_code)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


_OPC = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _package(content_types: str, main: str, members: dict[str, str]) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": f'{_XML}<Types xmlns="{_OPC}/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{content_types}</Types>',
            "_rels/.rels": f'{_XML}<Relationships xmlns="{_OPC}/relationships"><Relationship Id="rId1" Type="{_DOC}" '
            f'Target="{main}"/></Relationships>',
            **members,
        }
    )


def _docx() -> bytes:
    return _package(
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/>',
        "word/document.xml",
        {
            "word/document.xml": f'{_XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{PLACEHOLDER_TEXT}</w:t></w:r></w:p></w:body></w:document>"
        },
    )


def _xlsx() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return _package(
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>',
        "xl/workbook.xml",
        {
            "xl/workbook.xml": f'{_XML}<workbook xmlns="{main}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships xmlns="{_OPC}/relationships"><Relationship Id="rId1" '
            f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": f'{_XML}<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
            f"<t>{PLACEHOLDER_TEXT}</t></is></c></row></sheetData></worksheet>",
        },
    )


_MAKERS = {PDF: lambda: pdf("Document withheld", [PLACEHOLDER_TEXT]), PNG: _png, JPEG: _jpeg, DOCX: _docx, XLSX: _xlsx}
