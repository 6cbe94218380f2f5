"""Small but valid PDF files, so filestore objects look like what Odoo stores."""

from __future__ import annotations

import zlib


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1", "replace").decode("latin-1")


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF 1.4 showing a title and lines of text."""
    text = ["BT", "/F1 14 Tf", "50 790 Td", f"({_escape(title)}) Tj", "/F1 10 Tf", "0 -24 Td"]
    for line in lines:
        text += [f"({_escape(line)}) Tj", "0 -14 Td"]
    text.append("ET")
    return page("\n".join(text).encode("latin-1", "replace"))


def page(stream: bytes, compress: bool = False) -> bytes:
    """A one-page PDF 1.4 whose content stream is `stream`, FlateDecode-compressed if asked (as most writers do)."""
    if compress:
        stream = zlib.compress(stream)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), b" /Filter /FlateDecode" if compress else b"") + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
