"""After masking: prove that no original survives, anywhere, in any spelling.

Every original of every identifying column is kept, in memory only (this process and the workers it
forks), as its normal forms (formwork.masking.normal_forms, searched as formwork.masking.originals says):
not a sample.
Every text-like and bytea column of every table is streamed out with COPY and its normalised view
searched, as is every file the attachments point to or hold in the database (db_datas): its bytes and
the text inside it (formwork.masking.file_content: PDF streams, archive members). A finding names table
and column (or file, or attachment row) and how many times, never the value; so does a file whose inside
cannot be read fully, which fails the run like a finding.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from formwork.masking import file_content, forked
from formwork.masking.introspect import base_type, is_text
from formwork.masking.originals import Originals
from formwork.stores.object_store import ObjectNotFound, ObjectStore

Form = tuple[str, int]  # a form found, and the index of the column its original came from

# The web client's asset bundles: Odoo builds them from module sources as SUPERUSER_ID
# (odoo/addons/base/models/assetsbundle.py, save_attachment); a user's upload has another create_uid.
ASSET_BUNDLES = (
    "res_model = 'ir.ui.view' AND starts_with(url, '/web/assets/') AND public AND create_uid = 1 AND COALESCE(write_uid, 1) = 1"
)


def one_per_line(fakes: Iterable[str]) -> str:
    """Fakes as scan takes them: each once, one per line, so that each is a cell of its own and a pair of words
    never spans two fakes. One string holds them in a fraction of the memory of as many string objects."""
    return "\n".join(dict.fromkeys(f.replace("\n", " ").replace("\t", " ") for f in fakes))


def _batches(blocks: Iterable[str], size: int = 1 << 22) -> Iterator[str]:
    """Blocks of fakes (one_per_line) joined into batches of about `size` characters: one search each."""
    batch: list[str] = []
    length = 0
    for block in blocks:
        if block:
            batch.append(block)
            length += len(block)
        if length >= size:
            yield "\n".join(batch)
            batch, length = [], 0
    if batch:
        yield "\n".join(batch)


def _found(text: str, copied: bool = False) -> list[Form]:
    return _SEARCH[0].found(text, copied)


@dataclass(frozen=True)
class Leak:
    where: str  # "table.column" or "filestore:<store_fname>"
    origin: str  # the masked column the originals came from
    count: int = 1

    def __str__(self) -> str:
        return f"{self.where}: {self.count:,} occurrence(s) of originals of {self.origin} survive masking"


@dataclass(frozen=True)
class Unread:
    where: str  # "filestore:<store_fname>" or "ir_attachment.db_datas (id N)"
    why: str

    def __str__(self) -> str:
        return f"{self.where}: cannot be searched fully ({self.why})"


def searched(kind: str) -> bool:
    """Text-like columns and bytea (the files of db_datas are searched as files, see scan)."""
    return is_text(kind) or base_type(kind) == "bytea"


def scan(
    conn: psycopg.Connection,
    tables: dict[str, dict[str, str]],
    originals: Originals,
    store: ObjectStore | None = None,
    produced: Iterable[str] = (),
    module_rows: dict[str, str] | None = None,
) -> list[Leak | Unread]:
    """Originals found inside a fake in `produced` (blocks of fakes, one_per_line) are dropped first: fakes come from the same pools as
    real data (at a million people nearly every fake name is somebody's; "Anna Kent" sits inside the fake
    "Mary Anna Kent"). This process streams every searched column out of the database; forked workers search the stream
    and the files, so the search runs beside PostgreSQL instead of after it. Rows matching `module_rows`
    (table -> SQL condition: module-shipped rows, formwork.masking.shipped) and asset bundles
    (ASSET_BUNDLES) are not searched: what Odoo ships is not what users wrote."""
    module_rows = module_rows or {}
    if not len(originals):
        return []
    originals.ready()
    counts: Counter[tuple[str, int]] = Counter()
    unread: dict[Unread, None] = {}
    with _searchers(originals, store) as pool:
        originals.forget(
            {form for found in forked.windowed(pool, ((_found, (batch,)) for batch in _batches(produced))) for form, _ in found}
        )
    originals.ready()
    with _searchers(originals, store) as pool:  # workers forked anew, with the originals no fake explains
        for where, found in itertools.chain.from_iterable(forked.windowed(pool, _jobs(conn, tables, store, module_rows))):
            if isinstance(found, Unread):
                unread.setdefault(found, None)
            else:
                counts[(where, found[1])] += 1
    return [Leak(where, originals.origins[origin], n) for (where, origin), n in sorted(counts.items())] + list(unread)


def _jobs(
    conn: psycopg.Connection, tables: dict[str, dict[str, str]], store: ObjectStore | None, module_rows: dict[str, str]
) -> Iterator[tuple[Callable, tuple]]:
    """(function, arguments) of every search: runs of COPY rows of each table, then files a batch at a time."""
    for table, columns in sorted(tables.items()):
        names = [c for c, kind in columns.items() if searched(kind) and not (table == "ir_attachment" and c == "db_datas")]
        if not names:
            continue
        query = sql.SQL("COPY (SELECT {} FROM {}{}) TO STDOUT").format(
            sql.SQL(", ").join(_as_text(c, columns[c]) for c in names),
            sql.Identifier(table),
            sql.SQL(f" WHERE NOT {module_rows[table]}") if table in module_rows else sql.SQL(""),
        )
        with conn.cursor().copy(query) as copy:
            yield from ((_search_rows, ([f"{table}.{name}" for name in names], block)) for block in _blocks(copy))
    skip = (f" AND NOT ({ASSET_BUNDLES})" if _has_bundles(tables) else "") + (
        f" AND NOT {module_rows['ir_attachment']}" if "ir_attachment" in module_rows else ""
    )
    if store is not None and "ir_attachment" in tables:
        fnames = [
            f for (f,) in conn.execute("SELECT DISTINCT store_fname FROM ir_attachment WHERE store_fname IS NOT NULL" + skip)
        ]
        yield from ((_search_files, (fnames[i : i + FILES_PER_JOB],)) for i in range(0, len(fnames), FILES_PER_JOB))
    if "db_datas" in tables.get("ir_attachment", {}):
        yield from ((_search_kept_files, (batch,)) for batch in _files_in_database(conn, skip))


def _as_text(column: str, kind: str) -> sql.Composable:
    if base_type(kind) == "bytea":  # printable bytes as they are, the others as octal escapes
        return sql.SQL("encode({}, 'escape')").format(sql.Identifier(column))
    return sql.SQL("{}::text").format(sql.Identifier(column))


def asset_bundles(conn: psycopg.Connection, tables: dict[str, dict[str, str]]) -> int:
    """How many attachments the file search leaves out as the web client's asset bundles."""
    return conn.execute(f"SELECT count(*) FROM ir_attachment WHERE {ASSET_BUNDLES}").fetchone()[0] if _has_bundles(tables) else 0


def _has_bundles(tables: dict[str, dict[str, str]]) -> bool:
    """Only Odoo's own ir_attachment can tell a bundle: without these columns every file is searched."""
    return {"res_model", "url", "public", "create_uid", "write_uid"} <= set(tables.get("ir_attachment", {}))


FILES_PER_JOB = 500
_SEARCH: tuple | None = None  # (originals, store) of the running scan: set before the workers fork


@contextmanager
def _searchers(originals: Originals, store: ObjectStore | None) -> Iterator[Executor]:
    global _SEARCH
    _SEARCH = (originals, store)
    try:
        with forked.executor() as executor:
            yield executor
    finally:
        _SEARCH = None


def _search_rows(columns: list[str], data: bytes) -> list[tuple[str, Form]]:
    """("table.column", form found) of every form found in a run of COPY rows of these columns. The whole run
    is searched at once; only a run with findings is searched again cell by cell, to name the columns."""
    block = data.decode("utf-8", "replace")
    if not _found(block, copied=True):
        return []
    hits = []
    for row in block.split("\n"):
        for index, cell in enumerate(row.split("\t")):
            hits += [(columns[index], found) for found in _found(cell, copied=True)]
    return hits


def _search_files(fnames: list[str]) -> list[tuple[str, Form | Unread]]:
    store = _SEARCH[1]
    hits = []
    for fname in fnames:
        try:
            content = store.get_bytes(fname)
        except ObjectNotFound:
            continue
        hits += _search_file(f"filestore:{fname}", content)
    return hits


def _files_in_database(conn: psycopg.Connection, skip: str = "", size: int = 1 << 24) -> Iterator[list[tuple[int, bytes]]]:
    """(id, db_datas) of the attachments that keep their file in the database (but those `skip` leaves out:
    " AND NOT ..."), about `size` bytes at a time."""
    sizes = conn.execute("SELECT id, octet_length(db_datas) FROM ir_attachment WHERE db_datas IS NOT NULL" + skip).fetchall()
    batch, length = [], 0
    for attachment_id, file_size in sizes:
        batch.append(attachment_id)
        length += file_size
        if length >= size:
            yield conn.execute("SELECT id, db_datas FROM ir_attachment WHERE id = ANY(%s)", (batch,)).fetchall()
            batch, length = [], 0
    if batch:
        yield conn.execute("SELECT id, db_datas FROM ir_attachment WHERE id = ANY(%s)", (batch,)).fetchall()


def _search_kept_files(rows: list[tuple[int, bytes]]) -> list[tuple[str, Form | Unread]]:
    return [
        hit for attachment_id, data in rows for hit in _search_file(f"ir_attachment.db_datas (id {attachment_id})", bytes(data))
    ]


def _search_file(where: str, data: bytes) -> list[tuple[str, Form | Unread]]:
    """(where, form found) of every form in the file's bytes or text, and (where, Unread) if part of it cannot be read."""
    hits: list[tuple[str, Form | Unread]] = []
    try:
        for text in file_content.texts(data):
            hits += [(where, found) for found in _found(text)]
    except file_content.Unsearchable as exc:
        hits.append((where, Unread(where, str(exc))))
    return hits


def _blocks(copy, size: int = 1 << 20) -> Iterable[bytes]:
    """COPY output as runs of whole rows, about `size` bytes each: one search per run, not per
    row. COPY escapes newlines and tabs inside values, so a real newline ends a row and a tab a column."""
    parts: list[bytes] = []
    length = 0
    for chunk in copy:
        parts.append(bytes(chunk))
        length += len(chunk)
        if length >= size:
            data = b"".join(parts)
            cut = data.rfind(b"\n") + 1
            parts, length = [data[cut:]], len(data) - cut
            yield data[:cut]
    if length:
        yield b"".join(parts)
