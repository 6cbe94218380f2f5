"""Files of people and files of the business (issue 18, item 3), on a hand-made database with the default rules'
`attachments:` list: every personal record's file becomes a valid placeholder of its type, in the filestore and in
`db_datas`; a business file stays byte-identical, and one holding a person's name, even inside a compressed PDF
stream or a zipped DOCX/XLSX member, fails the run naming the file, with nothing changed."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from pathlib import Path

import psycopg
import pytest
import yaml

from blocks.local_directory_store import LocalDirectoryStore
from formwork.masking import file_content
from formwork.masking.engine import Masker, MaskingLeak
from formwork.masking.rules import load_rules
from formwork.seed.documents import page
from tests.support.clusters import create_database, drop_database
from tests.support.leak_findings import counted
from tests.support.odoo_base import installed

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "masking_rules" / "odoo17.yaml"
SALT = b"files-masking-salt-0123456789abcdef"
PERSON = "Harriet Okafor"
SMALL_RULES = "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    columns:\n      name: {faker: name}\n"
PERSONAL_MODELS = (
    "res.partner",
    "hr.employee",
    "hr.contract",
    "hr.payslip",
    "hr.applicant",
    "hr.leave",
    "hr.leave.allocation",
    "hr.expense",
    "hr.expense.sheet",
    "calendar.event",
)
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- files as Odoo users upload them -------------------------------------------------------------------------------
def pdf_file(content: bytes, compress: bool = True) -> bytes:
    """A one-page PDF whose content stream is `content`, FlateDecode-compressed unless `compress` is false."""
    return page(content, compress)


def zipped(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# The name split over text runs (one bold), as Word writes it after an edit, or a kerned TJ array in a PDF.
BUSINESS_FILES = {
    "pdf": (
        PDF,
        pdf_file(b"BT /F1 12 Tf 50 700 Td (Site report, block C) Tj 0 -14 Td [(Foreman: Harr) -12 (iet Oka) 30 (for)] TJ ET"),
    ),
    "docx": (
        DOCX,
        zipped(
            {
                "[Content_Types].xml": "<Types/>",
                "word/document.xml": f"<w:document {W}><w:body><w:p><w:r><w:t>Site foreman:</w:t></w:r></w:p><w:p><w:r><w:t "
                f'xml:space="preserve">Harriet </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Okafor</w:t></w:r>'
                f"</w:p><w:p><w:r><w:t>Crane hire</w:t></w:r></w:p></w:body></w:document>",
            }
        ),
    ),
    "xlsx": (
        XLSX,
        zipped(
            {
                "[Content_Types].xml": "<Types/>",
                "xl/sharedStrings.xml": '<sst><si><t>Plant</t></si><si><r><t>Harriet</t></r><r><rPr><b/></rPr><t xml:space="preserve">'
                " Okafor</t></r></si><si><t>Crane</t></si></sst>",
            }
        ),
    ),
}


# ---- the database ---------------------------------------------------------------------------------------------------
def rules_file(tmp_path: Path) -> str:
    """SMALL_RULES with the default rules' `attachments:` list, exactly as odoo17.yaml has it."""
    attachments = yaml.safe_load(DEFAULT_RULES.read_text())["attachments"]
    path = tmp_path / "rules.yaml"
    path.write_text(SMALL_RULES + yaml.safe_dump({"attachments": attachments}, sort_keys=False))
    return str(path)


@pytest.fixture
def company(pg, tmp_path):
    """A person and a company (res_partner), the modules owning the personal records installed, an empty filestore;
    returns (dsn, add(res_model, mimetype, data, in_database=False, res_id=1) -> attachment id, store)."""
    name = create_database(pg, "files")
    store = LocalDirectoryStore(path=str(tmp_path / "filestore"))
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute(installed("hr", "hr_contract", "hr_holidays", "hr_expense", "hr_recruitment", "calendar"))
        conn.execute(
            "CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, is_company boolean);"
            f"INSERT INTO res_partner (name, is_company) VALUES ('{PERSON}', false), ('Brickwell Ltd', true);"
            "CREATE TABLE ir_attachment (id serial PRIMARY KEY, name varchar, res_model varchar, res_id int, "
            "store_fname varchar, db_datas bytea, mimetype varchar, checksum varchar, file_size int, index_content text)"
        )

    def add(res_model: str, mimetype: str, data: bytes, in_database: bool = False, res_id: int = 1) -> int:
        checksum = hashlib.sha1(data).hexdigest()
        fname = None if in_database else f"{checksum[:2]}/{checksum}"
        if fname:
            store.put_bytes(fname, data)
        with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
            return conn.execute(
                "INSERT INTO ir_attachment (name, res_model, res_id, store_fname, db_datas, mimetype, checksum, "
                "file_size) VALUES ('file', %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (res_model, res_id, fname, data if in_database else None, mimetype, checksum, len(data)),
            ).fetchone()[0]

    yield pg.dsn(name), add, store
    drop_database(pg, name)


def state(dsn: str, store: LocalDirectoryStore) -> tuple[str, dict[str, str]]:
    """(digest of both tables, every file's sha1 by path)."""
    with psycopg.connect(dsn) as conn:
        database = conn.execute(
            "SELECT md5((SELECT string_agg(p::text, '|' ORDER BY id) FROM res_partner p) || "
            "(SELECT string_agg(a::text, '|' ORDER BY id) FROM ir_attachment a))"
        ).fetchone()[0]
    root = Path(store.path)
    return database, {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def mask(dsn: str, rules: str, store: LocalDirectoryStore):
    with psycopg.connect(dsn) as conn:
        return Masker(conn, load_rules(rules), SALT, store).run()


# ---- business files: scanned inside -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(BUSINESS_FILES))
@pytest.mark.parametrize("in_database", [False, True], ids=["filestore", "db_datas"])
def test_a_person_inside_a_business_file_fails_the_run_naming_the_file(company, tmp_path, kind, in_database):
    dsn, add, store = company
    mimetype, data = BUSINESS_FILES[kind]
    assert PERSON.encode() not in data  # compressed, or split: invisible to a search of the bytes
    add("hr.employee", PDF, pdf_file(f"({PERSON}) Tj".encode()))  # personal: replaced, so not the leak
    attachment = add("account.move", mimetype, data, in_database)
    before = state(dsn, store)
    with pytest.raises(MaskingLeak) as leak:
        mask(dsn, rules_file(tmp_path), store)
    checksum = hashlib.sha1(data).hexdigest()
    where = f"ir_attachment.db_datas (id {attachment})" if in_database else f"filestore:{checksum[:2]}/{checksum}"
    assert [counted(found) for found in leak.value.report.leaks] == [
        f"{where}: N occurrence(s) of originals of res_partner.name survive masking"
    ]
    assert "Harriet" not in str(leak.value) and "Okafor" not in str(leak.value)
    assert state(dsn, store) == before


def broken_stream() -> bytes:
    """A PDF whose FlateDecode stream is cut short: its text cannot be read."""
    content = b"BT (Foreman: see site diary) Tj ET"
    return pdf_file(content).replace(zlib.compress(content), zlib.compress(content)[:12])


@pytest.mark.parametrize(
    "make",
    [
        broken_stream,
        lambda: zipped({"word/document.xml": "<w:document/>" + " " * (1 << 20)}),
        lambda: pdf_file(b"BT (Foreman: see site diary) Tj ET").replace(b"/FlateDecode", b"/HarrietOkafor"),  # no such filter
    ],
    ids=["broken-stream", "too-big", "unknown-filter"],
)
def test_a_business_file_that_cannot_be_searched_fully_fails_the_run(company, tmp_path, monkeypatch, make):
    monkeypatch.setattr(file_content, "MAX_DECODED", 1 << 20)  # the workers fork after this: they scan with the same cap
    data = make()
    dsn, add, store = company
    add("account.move", PDF, data)
    before = state(dsn, store)
    with pytest.raises(MaskingLeak) as leak:
        mask(dsn, rules_file(tmp_path), store)
    checksum = hashlib.sha1(data).hexdigest()
    assert [re.sub(r" \(.*\)$", "", line) for line in leak.value.report.leaks] == [
        f"filestore:{checksum[:2]}/{checksum}: cannot be searched fully"
    ]
    assert "Harriet" not in str(leak.value)
    assert state(dsn, store) == before


# ---- personal files: replaced by a placeholder of their type ------------------------------------------------------------
def valid(mimetype: str, data: bytes) -> bool:
    """Whether `data` is a well-formed file of `mimetype`, as far as a viewer needs it."""
    if mimetype == PDF:
        start = int(re.search(rb"startxref\s+(\d+)", data).group(1))
        offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", data)]
        return (
            data.startswith(b"%PDF-")
            and data[start:].startswith(b"xref")
            and bool(offsets)
            and all(re.match(rb"\d+ 0 obj", data[o:]) for o in offsets)
            and data.rstrip().endswith(b"%%EOF")
        )
    if mimetype == PNG:
        return (
            data.startswith(b"\x89PNG\r\n\x1a\n")
            and data[12:16] == b"IHDR"
            and data.endswith(b"IEND\xaeB`\x82")
            and bool(zlib.decompress(data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]))
        )
    if mimetype == JPEG:
        return data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9") and b"\xff\xda" in data
    if mimetype in (DOCX, XLSX):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = "word/document.xml" if mimetype == DOCX else "xl/workbook.xml"
            return archive.testzip() is None and {"[Content_Types].xml", "_rels/.rels", main} <= set(archive.namelist())
    return data.decode("utf-8").strip() != ""


def test_every_personal_file_becomes_a_valid_placeholder_of_its_type_and_business_files_stay(company, tmp_path):
    dsn, add, store = company
    person = pdf_file(f"BT ({PERSON}, payslip March) Tj ET".encode())
    personal = {add(model, PDF, person, in_database): PDF for model in PERSONAL_MODELS for in_database in (False, True)}
    for mimetype, data in (
        (PNG, b"\x89PNG\r\n\x1a\n photo of " + PERSON.encode()),
        (JPEG, b"\xff\xd8\xff photo " + PERSON.encode()),
        BUSINESS_FILES["docx"],
        BUSINESS_FILES["xlsx"],
        ("text/csv", f"name\n{PERSON}\n".encode()),
    ):
        personal[add("hr.employee", mimetype, data)] = mimetype
        personal[add("hr.applicant", mimetype, data, True)] = mimetype
    receipt = pdf_file(f"BT (Fuel, paid by {PERSON}) Tj ET".encode())
    personal |= {add("hr.expense", PDF, receipt): PDF, add("account.move", PDF, receipt): PDF}  # Odoo's copy on the entry
    business = [
        add("res.partner", PDF, pdf_file(b"BT (Price list 2024: cement, sand, rebar) Tj ET"), res_id=2),
        add("account.move", PDF, pdf_file(b"BT (Invoice 2024/0042: 12 t of cement) Tj ET")),
        add("account.move", PNG, b"\x89PNG\r\n\x1a\n logo", True),
    ]
    with psycopg.connect(dsn) as conn:
        before = {
            i: conn.execute(
                "SELECT store_fname, db_datas, checksum, file_size, mimetype FROM ir_attachment WHERE id = %s", (i,)
            ).fetchone()
            for i in business
        }
        old_files = [
            f
            for (f,) in conn.execute(
                "SELECT store_fname FROM ir_attachment WHERE id = ANY(%s) AND store_fname IS NOT NULL", (list(personal),)
            )
        ]
    business_files = {f: store.get_bytes(f) for f, *_ in before.values() if f}

    report = mask(dsn, rules_file(tmp_path), store)

    assert report.leaks == [] and report.files_replaced == len(personal)
    with psycopg.connect(dsn) as conn:
        for attachment, mimetype in personal.items():
            fname, in_db, checksum, size, now_mimetype = conn.execute(
                "SELECT store_fname, db_datas, checksum, file_size, mimetype FROM ir_attachment WHERE id = %s", (attachment,)
            ).fetchone()
            data = bytes(in_db) if in_db is not None else store.get_bytes(fname)
            assert (now_mimetype, checksum, size) == (mimetype, hashlib.sha1(data).hexdigest(), len(data)), attachment
            assert valid(mimetype, data) and PERSON.encode() not in data, (attachment, mimetype)
        assert {
            i: conn.execute(
                "SELECT store_fname, db_datas, checksum, file_size, mimetype FROM ir_attachment WHERE id = %s", (i,)
            ).fetchone()
            for i in business
        } == before
    assert {f: store.get_bytes(f) for f in business_files} == business_files
    assert not any(store.exists(f) for f in old_files)
