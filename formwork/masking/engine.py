"""The masking run, as a runbook: plan, read and sample, rewrite, replace files, check, commit.

One transaction covers every rewrite, so a failed or killed run leaves the
database as it was; files are only deleted after the commit.
"""

from __future__ import annotations

import functools
import gc
import itertools
import json as jsonlib
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import psycopg
from psycopg import sql

from formwork.errors import OperationError
from formwork.masking import coverage, files, history, introspect, leaks, normal_forms, offload, shipped, transient, workers
from formwork.masking.dictionary import Dictionary
from formwork.masking.fakes import ROLE_MAILBOXES, Fakes
from formwork.masking.keyed import Keyed
from formwork.masking.model import AttachmentRule, ColumnRule, RuleSet, TableRule
from formwork.masking.pay import Pay
from formwork.masking.rewrite import Rewrite, RowValues, delete, load_rows, rewrite
from formwork.masking.schema_check import check_overlaps, resolve_database
from formwork.masking.scrub import DETECTORS, EMAIL, Scrubber, detector_for, kind_of
from formwork.masking.staging_login import NO_PASSWORD, UNUSED, check_staging_password, odoo_password_hash
from formwork.masking.staging_login import STRATEGY as STAGING_PASSWORD
from formwork.masking.strategies import REGISTRY, Strategy
from formwork.production_guard import refuse_production
from formwork.progress import NoProgress, Progress
from formwork.stores.object_store import ObjectStore

# Dictionaries whose originals the scrubber looks for inside free text.
KNOWN_IN_TEXT = ("name", "street_address")
# What the scrubber finds in free text that is personal by nature (company phones and IBANs are not).
IDENTIFYING_IN_TEXT = ("email", "ssn")
# Rows per worker job, and fetched at a time: big enough to keep per-job costs small, small enough that a
# million-row table's values are never all in memory at once and its columns are shared evenly between the workers.
CHUNK = 50_000
# Chunks of an entry read and handed to the workers ahead of the one being written: they compute while PostgreSQL writes.
AHEAD = 2
# Chunks of the next entries handed to the workers before an entry's UPDATE: PostgreSQL keeps one core for a
# while, and the workers would wait with the other (at scale 100 they were waited for 10 s in the next entries).
DURING_UPDATE = 8
# Entries whose first chunks may be read ahead of their turn (each holds a cursor open until then).
LOOKAHEAD = 8


@dataclass
class EntryPlan:
    entry: TableRule
    rows: int

    def describe(self) -> list[str]:
        where = f" where {self.entry.where}" if self.entry.where else ""
        if self.entry.delete:
            return [f"{self.entry.table}: delete {self.rows:,} rows{where}"]
        return [f"{self.entry.table}.{c.column}: {_strategy(c)} ({self.rows:,} rows{where})" for c in self.entry.columns]


@dataclass
class MaskPlan:
    entries: list[EntryPlan]
    attachments: list[tuple[AttachmentRule, int]]
    skipped: list[str]
    uncovered: list[str]
    kept: list[str] = field(default_factory=list)
    transient: list[EntryPlan] = field(default_factory=list)  # wizard tables whose rows all go (formwork.masking.transient)

    def lines(self) -> list[str]:
        masked = sum(len(e.entry.columns) for e in self.entries)
        out = [f"coverage: {masked} masked, {len(self.kept)} kept, {len(self.uncovered)} uncovered personal-looking columns"]
        out += [line for e in self.entries for line in e.describe()]
        if self.transient:
            out.append(
                f"transient models (wizards): {len(self.transient)} tables, {sum(e.rows for e in self.transient):,} rows to delete"
            )
        out += [f"ir_attachment files: replace {n:,} with a placeholder where {a.where}" for a, n in self.attachments]
        out += [f"skipped: {note}" for note in self.skipped]
        out += [f"kept: {note}" for note in self.kept]
        out += [f"uncovered: {note}" for note in self.uncovered]
        return out


@dataclass
class MaskReport:
    tables: list[tuple[str, int, float]] = field(default_factory=list)  # table, rows, seconds
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows deleted by `delete: true` entries
    transient: dict[str, int] = field(default_factory=dict)  # wizard table -> rows deleted (`transient_models: delete`)
    columns: dict[str, str] = field(default_factory=dict)  # "table.column" -> how it was masked
    files_replaced: int = 0
    files_deleted: int = 0
    leaks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "table.column: reason" of personal-looking columns left on purpose
    originals: int = 0  # original values the leak check looked for, every one of every identifying column
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # read, rewrite, files, leak check

    @property
    def removed(self) -> dict[str, int]:
        """Rows deleted on purpose, by table: by `delete: true` entries and with the wizards."""
        return {**self.transient, **{t: n + self.transient.get(t, 0) for t, n in self.deleted.items()}}

    def summary(self) -> str:
        rows = sum(r for _, r, _ in self.tables)
        verdict = f"{len(self.leaks)} LEAKS" if self.leaks else "no leaks"
        wizards = (
            f"deleted {sum(self.transient.values()):,} rows of {len(self.transient)} transient (wizard) tables, "
            if self.transient
            else ""
        )
        return (
            f"masked {rows:,} rows in {len(self.tables)} table passes, replaced {self.files_replaced:,} files, {wizards}"
            f"{verdict} among {self.originals:,} originals checked, in {self.seconds:.1f} s"
        )

    def markdown(self) -> str:
        lines = [
            "# Masking report",
            "",
            self.summary(),
            "",
            "Phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items()),
            "",
            "| table | rows | seconds | rows/s |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {t} | {r:,} | {s:.2f} | {r / s if s else 0:,.0f} |" for t, r, s in self.tables]
        for title, items in (
            ("Leaks (run failed)", self.leaks),
            ("Skipped", self.skipped),
            ("Kept on purpose (keep: in the rules)", self.kept),
        ):
            if items:
                lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
        return "\n".join(lines)


def _strategy(rule: ColumnRule) -> str:
    return REGISTRY[rule.strategy].describe(rule.options)


class Masker:
    def __init__(
        self,
        conn: psycopg.Connection,
        rules: RuleSet,
        salt: bytes,
        store: ObjectStore | None = None,
        staging_password: str | None = None,
    ):
        """`staging_password`: what internal users log in to the copy with (formwork.masking.staging_login);
        only its hash is kept."""
        self.conn = conn
        self.rules = rules
        self.keyed = Keyed(salt)
        self.fakes = Fakes(self.keyed, rules.locale)
        self.store = store
        # The rules' conditions nest hundreds of subqueries (history entries, module-shipped rows): PostgreSQL's JIT
        # compiled ~12,000 functions for one overlap check of 48 tracked values on a restored copy, for minutes.
        conn.execute("SET jit = off")
        # Every query here reads whole tables, joined by key: hash joins. A copy straight from its restore has no
        # statistics yet, and the planner, taking a subquery for a row or two, loops over it instead: 80 ms for each
        # table's module-shipped rows (13 s for real Odoo's 152 tables before the first row is read), 131 s for the
        # UPDATE of tracked history at scale 100 (0.2 s hashed).
        conn.execute("SET enable_nestloop = off")
        self.tables = introspect.columns(conn)
        entries, self.skipped, self.attachment_rules = resolve_database(conn, rules, self.tables)
        self.shipped = shipped.find(conn, rules, self.tables)
        entries = self.shipped.split(entries)
        self.skipped += self.shipped.notes(entries)
        entries, notes, self.shown = history.follow(conn, entries, self.tables)  # tracked old values go as their columns do
        self.skipped += notes
        check_overlaps(conn, entries)
        self.entries: list[TableRule] = entries
        self.transient = transient.entries(conn, rules, self.tables)
        self.login_hash = self._login_hash(staging_password)
        self.dictionaries: dict[str, Dictionary] = {}
        self.scrubber = Scrubber(self._replace_detected, self.fakes.first_name)
        self.produced: list[str] = []  # every fake drawn, in blocks of leaks.one_per_line
        self.detector_hits: dict[str, set[str]] = {}  # "table.column" -> kinds left in scrubbed text
        self.replaced: list[str] = []  # fakes the scrubber put into text, in this process
        self.covered: dict[int, list | array] = {}  # entry -> keys of the rows it covered when the run began
        self.pay = Pay(conn, self.keyed, self.tables)

    def _login_hash(self, staging_password: str | None) -> str | None:
        """Odoo's hash of the staging password, if a rule writes it; says so when none is set."""
        if staging_password is not None:
            check_staging_password(staging_password)
        if not any(rule.strategy == STAGING_PASSWORD for entry in self.entries for rule in entry.columns):
            if staging_password is not None:
                self.skipped.append(UNUSED)
            return None
        if staging_password is None:
            self.skipped.append(NO_PASSWORD)
            return None
        return odoo_password_hash(staging_password)

    # ---- plan (read only) ------------------------------------------------------
    def plan(self) -> MaskPlan:
        holding = "(store_fname IS NOT NULL OR db_datas IS NOT NULL)" if self._files_in_database() else "store_fname IS NOT NULL"
        attachments = [
            (a, introspect.count(self.conn, "ir_attachment", f"{holding} AND ({a.where})")) for a in self.attachment_rules
        ]
        return MaskPlan(
            entries=[
                EntryPlan(self.shown.get(id(e)) or self.shipped.shown_as(e), introspect.count(self.conn, e.table, e.where))
                for e in self.entries
            ],
            attachments=attachments,
            skipped=list(self.skipped),
            uncovered=self._uncovered(),
            kept=self._kept(),
            transient=[EntryPlan(e, introspect.count(self.conn, e.table, None)) for e in self.transient],
        )

    def _files_in_database(self) -> bool:
        """Whether attachments can hold their file in the database (Odoo's db_datas, `ir_attachment.location = db`)."""
        return "db_datas" in self.tables.get("ir_attachment", {})

    def _kept(self) -> list[str]:
        return [f"{k.table}.{k.column}: {k.reason}" for k in coverage.kept_present(self.rules.kept, self.tables)]

    def _uncovered(self) -> list[str]:
        covered = {(e.table, c.column) for e in self.entries for c in e.columns}
        covered |= {(e.table, c) for e in self.entries + self.transient if e.delete for c in self.tables.get(e.table, {})}
        covered |= {(k.table, k.column) for k in self.rules.kept}
        return coverage.uncovered(self.conn, self.tables, covered, module_rows=self.shipped.conditions)

    # ---- run -------------------------------------------------------------------
    def run(self, progress: Progress | None = None) -> MaskReport:
        refuse_production(self.conn, "mask")
        if self.store is not None:
            files.refuse_production(self.store)  # before the rewrite, not only when the files' turn comes
        progress = progress or NoProgress()
        started = time.monotonic()
        report = MaskReport(skipped=list(self.skipped), kept=self._kept())
        swaps: list[files.FileSwap] = []
        originals = leaks.Originals()
        try:
            with _collector_paused():
                self._masked_in_one_transaction(report, swaps, originals, progress)
        except BaseException:
            if self.store is not None:
                for fname in set().union(*(s.created for s in swaps)) if swaps else ():
                    self.store.delete(fname)
            raise
        report.files_replaced += sum(s.replaced for s in swaps)
        if self.store is not None:
            old = set().union(*(s.old_fnames for s in swaps)) if swaps else set()
            deletion = files.delete_unreferenced(self.conn, self.store, old)
            report.files_deleted = deletion.deleted
            report.skipped += deletion.kept
        report.seconds = time.monotonic() - started
        return report

    def _masked_in_one_transaction(self, report: MaskReport, swaps: list, originals: leaks.Originals, progress: Progress) -> None:
        with self.conn.transaction():
            # The joined UPDATEs hash maps of up to a million values: let them stay in memory.
            self.conn.execute("SET LOCAL work_mem = '256MB'")
            # The reads go through cursors to be read to the end: plan them for all rows, not the first ones.
            self.conn.execute("SET LOCAL cursor_tuple_fraction = 1")
            with shipped.looked_up(self.conn, self.shipped):
                if missing := self._uncovered():  # refused before any change; inside, to use the lookup index
                    raise coverage.UncoveredColumns(self.rules.path, missing)
                with _timed(report.phases, "wizards"):
                    report.transient = {e.table: delete(self.conn, e.table, None) for e in self.transient}
                with _timed(report.phases, "read"):
                    pairs = self._read_all(originals)
                with _timed(report.phases, "rewrite"):
                    self._rewrite_entries(report, progress, originals, pairs)
                with _timed(report.phases, "files"):
                    if self._files_in_database():  # no filestore needed: these files are rows of this transaction
                        report.files_replaced += sum(
                            files.replace_in_database(self.conn, rule.where) for rule in self.attachment_rules
                        )
                    if self.store is not None:
                        for rule in self.attachment_rules:
                            swaps.append(files.replace(self.conn, self.store, rule.where))
                    elif self.attachment_rules:
                        report.skipped.append("attachment files: no filestore configured, files were not replaced")
                with _timed(report.phases, "leak check"):
                    self._check_leaks(report, originals)

    def _check_leaks(self, report: MaskReport, originals: leaks.Originals) -> None:
        self.produced.append(
            leaks.one_per_line(itertools.chain.from_iterable(d.fakes.values() for d in self.dictionaries.values()))
        )
        tables = introspect.columns(self.conn)
        found = leaks.scan(self.conn, tables, originals, self.store, self.produced, self.shipped.conditions)
        if self.store is not None and (bundles := leaks.asset_bundles(self.conn, tables)):
            report.skipped.append(
                f"ir_attachment: {bundles:,} web client asset bundles not searched for leaks "
                "(Odoo builds them from module sources)"
            )
        report.originals = originals.counted
        report.leaks = [str(leak) for leak in found]
        report.leaks += [
            f"{where}: unmasked {', '.join(sorted(kinds))} left in free text"
            for where, kinds in sorted(self.detector_hits.items())
        ]
        if report.leaks:
            raise MaskingLeak(report)

    def dictionary(self, rule: ColumnRule) -> Dictionary:
        provider = rule.options["provider"]
        locale = rule.options.get("locale")
        domain = rule.options.get("domain", "keep")
        kind = rule.options.get("kind") or provider + (f"@{domain}" if domain != "keep" else "") + (
            f"/{locale}" if locale else ""
        )
        if kind not in self.dictionaries:
            self.dictionaries[kind] = self._new_dictionary(kind, provider, locale=locale, domain=domain)
        return self.dictionaries[kind]

    @staticmethod
    def texts(values: list[str | None], json: bool) -> Iterable[str]:
        return _texts(values, json)

    def _new_dictionary(self, kind: str, provider: str, **options) -> Dictionary:
        makers: dict[int, Callable[[str], str]] = {}

        def redraw(original: str, n: int) -> str:
            if n not in makers:
                makers[n] = self.fakes.variant(n).maker(provider, **options)
            return makers[n](original)

        return Dictionary(kind, self.fakes.maker(provider, **options), redraw, self.keyed, texts=kind in KNOWN_IN_TEXT)

    # ---- read: every original the fakes depend on, before any rewrite --------------
    def _read_all(self, originals: leaks.Originals) -> dict[int, dict[str, list[tuple]]]:
        """Every original a by_row column's fakes depend on, seen before the first fake is drawn (a fake never
        equals one; unique columns are settled over all of them), a chunk at a time: only the dictionaries keep
        them. Every original of an identifying column goes to the leak check. Returns each entry's pairs (the
        other strategies' `read`). Scrubbed text needs nothing ahead: it is read when its entry is rewritten."""
        staying: dict[tuple[str, str, str], None] = {}  # (kind, table, column), in order
        pairs = {}
        with offload.workers():  # digests and normal forms are computed beside the reading
            for i, entry in enumerate(self.entries):
                ahead = [rule for rule in entry.columns if _read_ahead(rule)]
                if _row_columns(entry):
                    self.covered[i] = []
                    for keys, columns in self._chunks(i, [rule.column for rule in ahead]):
                        self.covered[i] = _joined(self.covered[i], keys)
                        for rule in ahead:
                            self._saw(entry, rule, columns[rule.column], originals)
                for rule in ahead:
                    if (kind := REGISTRY[rule.strategy].leak_kind(rule)) and entry.where and not self._json(entry, rule.column):
                        staying[(kind, entry.table, rule.column)] = None
                pairs[i] = {
                    rule.column: found
                    for rule in entry.columns
                    if (found := REGISTRY[rule.strategy].read(self, entry, rule)) is not None
                }
        kept = self._staying(list(dict.fromkeys((table, column) for _, table, column in staying)))
        for kind, table, column in staying:  # after every add: a value some row keeps is business data, whoever else holds it
            originals.drop(kind, kept[(table, column)])
        for dictionary in self.dictionaries.values():
            dictionary.settle()
            if dictionary.sample is not None:  # Faker pools are drawn once here, not again in every worker
                dictionary.get(dictionary.sample)
        for kind in KNOWN_IN_TEXT:
            if kind in self.dictionaries:
                self.scrubber.add_known(self.dictionaries[kind].texts, self.dictionaries[kind].get)
        self.scrubber.scrub("Warm up: Dear Ann, call +44 20 7946 0000 or mail ann@example.com")  # builds the automaton
        return pairs

    def _saw(self, entry: TableRule, rule: ColumnRule, column: list, originals: leaks.Originals) -> None:
        """Some originals of a read-ahead column: to its strategy, the scrubber's phone numbers, the leak check."""
        json = self._json(entry, rule.column)
        strategy = REGISTRY[rule.strategy]
        strategy.prepare(self, rule, column, json)
        if rule.strategy == "faker" and self.dictionary(rule).kind == "phone_number":
            self.scrubber.add_known_numbers(_texts(column, json))
        if kind := strategy.leak_kind(rule):
            originals.add(f"{entry.table}.{rule.column}", kind, _texts(column, json))

    def _json(self, entry: TableRule, column: str) -> bool:
        return self.tables[entry.table][column].startswith("jsonb")

    def _rows(self, index: int, names: list[str]) -> sql.Composable:
        """The query of the entry's rows: their key, then each named column's value as text."""
        entry = self.entries[index]
        return sql.SQL("SELECT {} FROM {}{}").format(
            sql.SQL(", ").join([self._key(entry)[0], *(sql.SQL("{}::text").format(sql.Identifier(c)) for c in names)]),
            sql.Identifier(entry.table),
            _where(entry),
        )

    def _copied(self, index: int, names: list[str]) -> sql.Composable:
        """The entry's rows copied now into a temp table (see _RowStream.detach); the query that reads them there."""
        copy = sql.Identifier(f"fw_copy_{index}")
        self.conn.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS ").format(copy) + self._rows(index, names))
        return sql.SQL("SELECT * FROM {}").format(copy)

    def _chunks(
        self, index: int, names: list[str], query: sql.Composable | None = None
    ) -> Iterator[tuple[list | array, dict[str, list]]]:
        """The entry's rows (or what `query` reads, in the same shape), CHUNK at a time: their keys and each named
        column's values as text. A server-side cursor: neither libpq nor Python ever holds a whole table (freed, its
        heap would stay the process's); binary: the fastest way in."""
        if query is None:
            query = self._rows(index, names)
        with self.conn.cursor(name=f"fw_read_{index}", binary=True) as cursor:
            cursor.execute(query)
            while batch := cursor.fetchmany(CHUNK):
                keys: list | array = [row[0] for row in batch]
                if isinstance(keys[0], int):
                    keys = array("q", keys)  # ids: 8 bytes each instead of an int object and a pointer
                yield keys, {name: [row[i] for row in batch] for i, name in enumerate(names, 1)}

    def _key(self, entry: TableRule) -> tuple[sql.Composable, str]:
        """How rows of the entry's table are named in its row table: the id, or the physical place
        (stable inside this transaction) for tables without one."""
        if "id" in self.tables[entry.table]:
            return sql.SQL("id"), self.tables[entry.table]["id"]
        return sql.SQL("ctid::text"), "text"

    def _staying(self, columns: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """The values each (table, column) keeps, in the rows no entry rewriting it (or deleting rows) covers:
        business data, not originals. The rows one entry leaves alone may be another's ("is_company" and "NOT
        is_company"). Columns left alone by the same entries are read in one query: tracked history's entries
        are dozens of subqueries (hundreds of kB of SQL), planned once instead of once per column."""
        kept: dict[tuple[str, str], list[str]] = {}
        alike: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for table, column in columns:
            wheres = tuple(
                e.where
                for e in self.entries
                if e.table == table and (e.delete or any(c.column == column and c.strategy != "keep" for c in e.columns))
            )
            if all(wheres):
                alike.setdefault((table, wheres), []).append(column)
            else:
                kept[(table, column)] = []  # an entry rewrites every row
        for (table, wheres), names in alike.items():
            alone = sql.SQL(" AND ").join(sql.SQL("({}) IS NOT TRUE").format(sql.SQL(w.replace("%", "%%"))) for w in wheres)
            values = sql.SQL(" UNION ").join(
                sql.SQL("SELECT {i}, {c}::text FROM fw_alone WHERE {c} IS NOT NULL").format(i=sql.Literal(i), c=sql.Identifier(c))
                for i, c in enumerate(names)
            )
            query = sql.SQL("WITH fw_alone AS MATERIALIZED (SELECT {cs} FROM {t} WHERE {alone}) {values}").format(
                cs=sql.SQL(", ").join(map(sql.Identifier, names)), t=sql.Identifier(table), alone=alone, values=values
            )
            found: list[list[str]] = [[] for _ in names]
            for i, value in self.conn.execute(query):
                found[i].append(value)
            kept.update({(table, name): found[i] for i, name in enumerate(names)})
        return kept

    def _replace_detected(self, kind: str, original: str) -> str:
        dictionary = self.dictionaries.get(kind)
        if dictionary is None:
            dictionary = self.dictionaries[kind] = self._new_dictionary(kind, kind)
        fake = dictionary.get(original)
        self.replaced.append(fake)
        return fake

    # ---- rewrite: workers compute new values while PostgreSQL rewrites ------------
    def _rewrite_entries(
        self, report: MaskReport, progress: Progress, originals: leaks.Originals, pairs: dict[int, dict[str, list[tuple]]]
    ) -> None:
        """Entries are rewritten in the order of the rules file (a `where` may depend on what an
        earlier entry changed). Each entry's rows are read a chunk at a time and handed to the workers a few
        chunks ahead of the one PostgreSQL is writing; the next entry's first chunks before this one's UPDATE,
        so the workers compute while PostgreSQL writes. No two entries rewrite the same cells (check_overlaps),
        so what an entry reads are still the originals."""
        with workers.pool(self) as pool:
            pool.submit(int).result()  # the workers fork now, with the settled dictionaries and the scrubber
            streams = [_RowStream(self, pool, i, entry, originals) for i, entry in enumerate(self.entries)]
            for i, entry in enumerate(self.entries):
                rw = self._load(entry, streams[i], pairs.pop(i))
                _prime(entry, streams[i + 1 : i + 1 + LOOKAHEAD])
                report.tables.append(self._apply(entry, rw, progress, len(streams[i].covered) if streams[i].names else None))
                report.columns.update({f"{entry.table}.{c.column}": _strategy(c) for c in entry.columns})
                if entry.delete:
                    report.deleted[entry.table] = report.deleted.get(entry.table, 0) + report.tables[-1][1]

    def _collected(
        self, entry: TableRule, names: list[str], keys: list | array, jobs: list, originals: leaks.Originals
    ) -> list[tuple]:
        """One chunk's rows from its jobs' results; what the workers drew and replaced goes to the leak check."""
        new = []
        for name, job in zip(names, jobs):
            result = job.result()
            new.append(result.values)
            self.produced.append(result.produced)
            for (origin, kind), found in result.originals.items():
                originals.add(origin, kind, found)
            if result.hits:
                self.detector_hits.setdefault(f"{entry.table}.{name}", set()).update(result.hits)
        return list(zip(keys, *new))

    def column_values(self, index: int, name: str, column: list) -> workers.ColumnResult:
        """The new value of some rows of one faker, scrub or hash column, from their originals. Runs in a worker."""
        entry = self.entries[index]
        rule = next(r for r in entry.columns if r.column == name)
        result = workers.ColumnResult(values=[])
        marks = {kind: len(d.fakes) for kind, d in self.dictionaries.items()}
        replaced = len(self.replaced)
        function = REGISTRY[rule.strategy].function(self, entry, rule, result)
        if self._json(entry, name):
            function = functools.partial(_in_json, function)
        if not REGISTRY[rule.strategy].memo:
            result.values = [None if value is None else function(value) for value in column]
        else:
            memo: dict[str | None, str | None] = {None: None}
            for value in dict.fromkeys(column):  # each distinct value once, in row order
                if value is not None:
                    memo[value] = function(value)
            result.values = list(map(memo.__getitem__, column))
        drawn = (itertools.islice(d.fakes.values(), marks.get(kind, 0), None) for kind, d in self.dictionaries.items())
        result.produced = leaks.one_per_line(itertools.chain(self.replaced[replaced:], *drawn))
        return result

    def _load(self, entry: TableRule, chunks: Iterable[list[tuple]], pairs: dict[str, list[tuple]]) -> Rewrite:
        """Row values (chunks of (key, new value of each row column), each chunk one COPY) and maps into temp
        tables; the Rewrite that joins them."""
        types = self.tables[entry.table]
        rw = Rewrite(entry.table, entry.where, types)
        in_rows = _row_columns(entry)
        if in_rows:
            key, key_type = self._key(entry)
            table = load_rows(self.conn, key_type, len(in_rows), chunks)
            rw.rows = RowValues(table, sql.SQL("o.") + key, {column: f"c{i}" for i, column in enumerate(in_rows)})
        for rule in entry.columns:
            if (column := REGISTRY[rule.strategy].column(self, rule, pairs.get(rule.column))) is not None:
                rw.columns[rule.column] = column
        return rw

    def _apply(self, entry: TableRule, rw: Rewrite, progress: Progress, loaded: int | None) -> tuple[str, int, float]:
        """`loaded`: rows whose new values were loaded (by_row columns): the entry must still cover as many, or its
        rows changed since they were read (the UPDATE's own count check catches the same number of other rows)."""
        started = time.monotonic()
        expected = introspect.count(self.conn, entry.table, entry.where)
        if loaded is not None and loaded != expected:
            raise _moved(entry)
        progress.start(entry.table, expected)
        rows = delete(self.conn, entry.table, entry.where) if entry.delete else rewrite(self.conn, rw, expected)
        progress.advance(rows)
        progress.finish()
        return entry.table, rows, time.monotonic() - started

    def scrub_recording(self, entry: TableRule, column: str, result: workers.ColumnResult):
        """Scrub; every email and NI number replaced in text joins the leak check's originals; run the
        detectors on the result."""
        origin = f"{entry.table}.{column}"

        def apply(text: str) -> str:
            replaced = len(self.replaced)
            new = self.scrubber.scrub(text)
            if new != text:
                for kind in IDENTIFYING_IN_TEXT:
                    found = [m.group(0) for m in DETECTORS[kind].finditer(text) if not _role_mailbox(m.group(0))]
                    if found:
                        result.originals.setdefault((origin, normal_forms.KIND_OF_PROVIDER[kind]), set()).update(found)
                result.hits.update(_unmasked(new, self.replaced[replaced:]))
            return new

        return apply


class _RowStream:
    """An entry's rows as COPY takes them: chunks of (key, new value of each row column). Chunks are read on the
    masking connection (between two statements, never inside a COPY) and handed to the workers up to AHEAD
    ahead of the one being written."""

    def __init__(self, masker: Masker, pool, index: int, entry: TableRule, originals: leaks.Originals):
        self.masker, self.pool, self.index, self.entry, self.originals = masker, pool, index, entry, originals
        self.names = _row_columns(entry)
        self.chunks = masker._chunks(index, self.names) if self.names else iter(())
        self.pending: deque[tuple[list | array, list]] = deque()
        self.covered: list | array = []  # keys of the chunks read so far
        self.copied = False  # the rows are read from a copy (detach)

    def prime(self, depth: int = AHEAD + 1) -> int:
        """Read and hand out chunks until `depth` are with the workers (or the rows run out); how many are."""
        while len(self.pending) < depth and (chunk := next(self.chunks, None)) is not None:
            keys, columns = chunk
            self.covered = _joined(self.covered, keys)
            jobs = [self.pool.submit(workers.column, self.index, name, columns.pop(name)) for name in self.names]
            self.pending.append((keys, jobs))
        return len(self.pending)

    def __iter__(self) -> Iterator[list[tuple]]:
        while self.prime():
            yield self.masker._collected(self.entry, self.names, *self.pending.popleft(), self.originals)
        if not _same_keys(self.covered, self.masker.covered.pop(self.index, [])):
            raise _moved(self.entry)

    def detach(self) -> bool:
        """Read the rows from a copy taken now instead of from the table, whose indexes an entry before this one
        rebuilds while these chunks are computed (a cursor open on the table would stop that). Only before the first
        chunk, and only for rows named by id: a row's place (ctid) moves when an earlier entry rewrites the row.
        Whether it reads a copy."""
        if not self.copied and not self.covered and self.names and "id" in self.masker.tables[self.entry.table]:
            self.chunks = self.masker._chunks(self.index, self.names, self.masker._copied(self.index, self.names))
            self.copied = True
        return self.copied


def _moved(entry: TableRule) -> OperationError:
    return OperationError(
        f"{entry.table}: the rows the rule covers changed while masking (its `where` reads a column an earlier rule "
        "masks, or another session wrote them): their originals were read from other rows; nothing was changed"
    )


def _prime(current: TableRule, streams: list[_RowStream]) -> None:
    """The next entries' first chunks to the workers, DURING_UPDATE in all: they compute while PostgreSQL runs this
    entry's UPDATE, also when the next entry is a small one. Never through a cursor on a table an entry before it
    still rewrites: its open cursor would stop that rewrite from rebuilding the table's indexes (ObjectInUse); such
    an entry reads a copy of its rows taken now (detach), or waits for its turn."""
    left = DURING_UPDATE
    rewritten = {current.table}
    for stream in streams:
        if left <= 0 or stream.entry.table in rewritten and not stream.detach():
            return
        left -= stream.prime(left)
        rewritten.add(stream.entry.table)


def _unmasked(text: str, made: list[str]) -> Iterable[str]:
    """Kinds of email/IBAN/phone/NI number left in scrubbed text that masking did not put there."""
    detector = detector_for(text)
    for match in detector.finditer(text) if detector is not None else ():
        hit, kind = match.group(0), kind_of(match)
        if kind is not None and hit not in made and not (kind == "email" and _role_mailbox(hit)):
            yield kind


@contextmanager
def _collector_paused():
    """Millions of short strings and tuples, none in a cycle: the cycle collector would only rescan
    them again and again (a third of the read time at a million rows)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def _timed(phases: dict[str, float], name: str):
    """Adds the wall time of a `with` block to phases[name]."""
    started = time.monotonic()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.monotonic() - started


def _row_columns(entry: TableRule) -> list[str]:
    """The columns whose new values are computed row by row, in the order of the entry's row table."""
    return [rule.column for rule in entry.columns if REGISTRY[rule.strategy].by_row]


def _joined(keys: list | array, more: list | array) -> list | array:
    """Row keys collected a chunk at a time (ids stay an array)."""
    if not keys:
        return more
    keys += more
    return keys


def _same_keys(one: list | array, other: list | array) -> bool:
    """The same rows, in any order."""
    if isinstance(one, array) and isinstance(other, array):
        return len(one) == len(other) and bool(
            np.array_equal(np.sort(np.frombuffer(one, np.int64)), np.sort(np.frombuffer(other, np.int64)))
        )
    return sorted(one) == sorted(other)


def _read_ahead(rule: ColumnRule) -> bool:
    """A by_row column whose every original is seen before any fake is drawn: its strategy prepares from them or
    the leak check looks for them."""
    strategy = REGISTRY[rule.strategy]
    return strategy.by_row and (type(strategy).prepare is not Strategy.prepare or strategy.leak_kind(rule) is not None)


def _where(entry: TableRule) -> sql.Composable:
    return sql.SQL(" WHERE ({})").format(sql.SQL(entry.where)) if entry.where else sql.SQL("")


def _texts(values: list[str | None], json: bool) -> Iterable[str]:
    """The originals a column holds: its values, or the texts inside translated (jsonb) values."""
    for value in values:
        if value is None:
            continue
        if not json:
            yield value
            continue
        parsed = jsonlib.loads(value)
        yield from (v for v in (parsed.values() if isinstance(parsed, dict) else [parsed]) if isinstance(v, str))


def _in_json(function: Callable[[str], str], value: str) -> str:
    """Apply `function` to every language's text of a translated value."""
    parsed = jsonlib.loads(value)
    if isinstance(parsed, dict):
        parsed = {k: function(v) if isinstance(v, str) else v for k, v in parsed.items()}
    elif isinstance(parsed, str):
        parsed = function(parsed)
    return jsonlib.dumps(parsed, ensure_ascii=False)


def _role_mailbox(address: str) -> bool:
    return EMAIL.fullmatch(address) is not None and address.split("@")[0].lower() in ROLE_MAILBOXES


class MaskingLeak(OperationError):
    """Raised inside the transaction, so the database is left as it was."""

    def __init__(self, report: MaskReport):
        self.report = report
        super().__init__(f"masking left {len(report.leaks)} leak(s); database left unchanged: " + "; ".join(report.leaks))
