"""After masking: prove that no sampled original survives, anywhere.

Originals sampled before masking live only in memory (this process and the
workers it forks). Every text-like column of every table is streamed out with
COPY and searched with an Aho-Corasick automaton, as is every file the
attachments point to or hold in the database (db_datas): its bytes and the text
inside it (formwork.masking.file_content: PDF streams, archive members). A hit
names table and column (or file, or attachment row), never the value; so does a
file whose inside cannot be read fully, which fails the run like a hit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field

import ahocorasick
import psycopg
from psycopg import sql

from blocks.object_store import ObjectNotFound, ObjectStore
from formwork.masking import file_content, forked
from formwork.masking.introspect import is_text

MIN_LENGTH = 5
# The web client's asset bundles: Odoo builds them from module sources as SUPERUSER_ID
# (odoo/addons/base/models/assetsbundle.py, save_attachment); a user's upload has another create_uid.
ASSET_BUNDLES = ("res_model = 'ir.ui.view' AND starts_with(url, '/web/assets/') AND public AND create_uid = 1 "
                 "AND COALESCE(write_uid, 1) = 1")


@dataclass
class Samples:
    """Original sensitive values, by where they came from ("table.column")."""

    values: dict[str, str] = field(default_factory=dict)  # value -> origin

    def add(self, origin: str, values: Iterable[str], limit: int = 40) -> None:
        taken = 0
        for value in values:
            if taken >= limit:
                break
            if isinstance(value, str) and len(value) >= MIN_LENGTH and value not in self.values:
                self.values[value] = origin
                taken += 1

    def discard(self, fakes: Iterable[str]) -> None:
        """A sampled value that occurs inside a value masking produced cannot count as a leak.

        Fakes are drawn from the same kind of pools as real data: at a million people, nearly every
        fake full name is also somebody's real name, and "Anna Kent" sits inside the fake "Mary Anna Kent".
        """
        if not self.values:
            return
        automaton = _automaton(self)
        for batch in _joined(fakes):
            for value in _explained(batch, automaton):
                self.values.pop(value, None)


def _joined(fakes: Iterable[str], size: int = 50_000) -> Iterator[str]:
    """Fakes joined by NUL, which no PostgreSQL text holds (nor a sample): it stops a match and is
    no letter, so one automaton pass searches each fake as if alone."""
    fakes = iter(fakes)
    while batch := "\x00".join(itertools.islice(fakes, size)):
        yield batch


def _explained(batch: str, automaton: ahocorasick.Automaton | None = None) -> set[str]:
    automaton = automaton or _SEARCH[0]
    return {value for end, (value, _origin) in automaton.iter(batch) if _whole_word(batch, end, value)}


@dataclass(frozen=True)
class Leak:
    where: str  # "table.column" or "filestore:<store_fname>"
    origin: str  # the masked column the value was sampled from

    def __str__(self) -> str:
        return f"{self.where}: holds a value sampled from {self.origin} before masking"


@dataclass(frozen=True)
class Unread:
    where: str  # "filestore:<store_fname>" or "ir_attachment.db_datas (id N)"
    why: str

    def __str__(self) -> str:
        return f"{self.where}: cannot be searched fully ({self.why})"


def _automaton(samples: Samples) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for value, origin in samples.values.items():
        automaton.add_word(value, (value, origin))
    automaton.make_automaton()
    return automaton


def _whole_word(text: str, end: int, value: str) -> bool:
    """The match ending at `end` is not part of a longer word ("Smith" inside "Smithson")."""
    start = end - len(value) + 1
    return (start == 0 or not text[start - 1].isalnum()) and (end + 1 >= len(text) or not text[end + 1].isalnum())


def scan(conn: psycopg.Connection, tables: dict[str, dict[str, str]], samples: Samples,
         store: ObjectStore | None = None, produced: Iterable[str] = (),
         module_rows: dict[str, str] | None = None) -> list[Leak | Unread]:
    """Samples explained by a fake in `produced` are dropped first (see Samples.discard). This
    process streams every text column out of the database; forked workers search the stream
    and the files, so the search runs beside PostgreSQL instead of after it. Rows matching `module_rows`
    (table -> SQL condition: module-shipped rows, formwork.masking.shipped) and asset bundles
    (ASSET_BUNDLES) are not searched: what Odoo ships is not what users wrote."""
    module_rows = module_rows or {}
    if not samples.values:
        return []
    found: dict[tuple[str, str], None] = {}
    unread: dict[Unread, None] = {}
    with _searchers(_automaton(samples), store) as pool:
        explaining = [pool.submit(_explained, batch) for batch in _joined(produced, 200_000)]
        jobs = []
        for table, columns in sorted(tables.items()):
            text_columns = [c for c, kind in columns.items() if is_text(kind)]
            if not text_columns:
                continue
            query = sql.SQL("COPY (SELECT {} FROM {}{}) TO STDOUT").format(
                sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in text_columns), sql.Identifier(table),
                sql.SQL(f" WHERE NOT {module_rows[table]}") if table in module_rows else sql.SQL(""))
            with conn.cursor().copy(query) as copy:
                jobs += [(table, text_columns, pool.submit(_search_rows, block)) for block in _blocks(copy)]
        skip = (f" AND NOT ({ASSET_BUNDLES})" if _has_bundles(tables) else "") + (
            f" AND NOT {module_rows['ir_attachment']}" if "ir_attachment" in module_rows else "")
        if store is not None and "ir_attachment" in tables:
            fnames = [f for (f,) in conn.execute("SELECT DISTINCT store_fname FROM ir_attachment WHERE store_fname IS NOT NULL" + skip)]
            jobs += [(None, None, pool.submit(_search_files, fnames[i:i + FILES_PER_JOB])) for i in range(0, len(fnames), FILES_PER_JOB)]
        if "db_datas" in tables.get("ir_attachment", {}):
            jobs += [(None, None, pool.submit(_search_kept_files, batch)) for batch in _files_in_database(conn, skip)]
        for job in explaining:
            for value in job.result():
                samples.values.pop(value, None)
        for table, text_columns, job in jobs:
            for where, value in job.result():
                if isinstance(value, Unread):
                    unread.setdefault(value, None)
                elif value in samples.values:
                    found.setdefault((f"{table}.{text_columns[where]}" if table else where, samples.values[value]), None)
    return [Leak(where, origin) for where, origin in found] + list(unread)


def asset_bundles(conn: psycopg.Connection, tables: dict[str, dict[str, str]]) -> int:
    """How many attachments the file search leaves out as the web client's asset bundles."""
    return conn.execute(f"SELECT count(*) FROM ir_attachment WHERE {ASSET_BUNDLES}").fetchone()[0] if _has_bundles(tables) else 0


def _has_bundles(tables: dict[str, dict[str, str]]) -> bool:
    """Only Odoo's own ir_attachment can tell a bundle: without these columns every file is searched."""
    return {"res_model", "url", "public", "create_uid", "write_uid"} <= set(tables.get("ir_attachment", {}))


FILES_PER_JOB = 500
_SEARCH: tuple | None = None  # (automaton, store) of the running scan: set before the workers fork


@contextmanager
def _searchers(automaton: ahocorasick.Automaton, store: ObjectStore | None) -> Iterator[Executor]:
    global _SEARCH
    _SEARCH = (automaton, store)
    try:
        with forked.executor() as executor:
            yield executor
    finally:
        _SEARCH = None


def _search_rows(data: bytes) -> set[tuple[int, str]]:
    """(column index, sample) of every sample found in a run of COPY rows."""
    automaton = _SEARCH[0]
    block = data.decode("utf-8", "replace")
    hits = set()
    for end, (value, _origin) in automaton.iter(block):
        if _whole_word(block, end, value):
            hits.add((block.count("\t", block.rfind("\n", 0, end) + 1, end), value))
    return hits


def _search_files(fnames: list[str]) -> set[tuple[str, str | Unread]]:
    store = _SEARCH[1]
    hits = set()
    for fname in fnames:
        try:
            content = store.get_bytes(fname)
        except ObjectNotFound:
            continue
        hits |= _search_file(f"filestore:{fname}", content)
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


def _search_kept_files(rows: list[tuple[int, bytes]]) -> set[tuple[str, str | Unread]]:
    return set().union(*(_search_file(f"ir_attachment.db_datas (id {attachment_id})", bytes(data)) for attachment_id, data in rows))


def _search_file(where: str, data: bytes) -> set[tuple[str, str | Unread]]:
    """(where, sample) of every sample in the file's bytes or text, and (where, Unread) if part of it cannot be read."""
    automaton = _SEARCH[0]
    hits: set[tuple[str, str | Unread]] = set()
    try:
        for text in file_content.texts(data):
            hits.update((where, value) for value in _found(automaton, text))
    except file_content.Unsearchable as exc:
        hits.add((where, Unread(where, str(exc))))
    return hits


def _found(automaton: ahocorasick.Automaton, content: str) -> set[str]:
    return {value for end, (value, _origin) in automaton.iter(content) if _whole_word(content, end, value)}


def _blocks(copy, size: int = 1 << 20) -> Iterable[bytes]:
    """COPY output as runs of whole rows, about `size` bytes each: one automaton pass per run, not per
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
