"""The masking run, as a runbook: plan, sample, build dictionaries, rewrite, replace files, check, commit.

One transaction covers every rewrite, so a failed or killed run leaves the
database as it was; files are only deleted after the commit.
"""

from __future__ import annotations

import heapq
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from blocks.object_store import ObjectStore
from formwork.errors import OperationError
from formwork.masking import coverage, files, introspect, leaks, parallel
from formwork.masking.dictionary import Dictionary
from formwork.masking.fakes import ROLE_MAILBOXES, Fakes
from formwork.masking.keyed import Keyed
from formwork.masking.model import AttachmentRule, ColumnRule, RuleSet, TableRule
from formwork.masking.rewrite import Expression, Literal, Mapped, Rewrite, Scaled, delete, load_map, rewrite
from formwork.masking.schema_check import check_overlaps, resolve
from formwork.masking.scrub import KINDS, DETECTORS, EMAIL, Scrubber, detector_for
from formwork.masking.transform import hashed, noise_factor, shift, template_sql
from formwork.progress import NoProgress, Progress

# Dictionaries whose originals the scrubber looks for inside free text.
KNOWN_IN_TEXT = ("name", "street_address")
# Values that identify a person on their own; cities or postcodes alone don't, and would only
# make the leak check cry wolf wherever a company shares them.
IDENTIFYING = ("name", "email", "phone_number", "iban", "ssn", "passport_number", "street_address", "license_plate")
# What the scrubber finds in free text that is personal by nature (company phones and IBANs are not).
IDENTIFYING_IN_TEXT = ("email", "ssn")


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

    def lines(self) -> list[str]:
        out = [line for e in self.entries for line in e.describe()]
        out += [f"ir_attachment files: replace {n:,} with a placeholder where {a.where}" for a, n in self.attachments]
        out += [f"skipped: {note}" for note in self.skipped]
        out += [f"uncovered: {note}" for note in self.uncovered]
        return out


@dataclass
class MaskReport:
    tables: list[tuple[str, int, float]] = field(default_factory=list)  # table, rows, seconds
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows deleted by `delete: true` entries
    columns: dict[str, str] = field(default_factory=dict)  # "table.column" -> how it was masked
    files_replaced: int = 0
    files_deleted: int = 0
    leaks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    samples: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # dictionaries, rewrite, files, leak check

    def summary(self) -> str:
        rows = sum(r for _, r, _ in self.tables)
        verdict = f"{len(self.leaks)} LEAKS" if self.leaks else "no leaks"
        return (f"masked {rows:,} rows in {len(self.tables)} table passes, replaced {self.files_replaced:,} files, "
                f"{verdict} among {self.samples:,} sampled originals, in {self.seconds:.1f} s")

    def markdown(self) -> str:
        lines = ["# Masking report", "", self.summary(), "",
                 "Phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items()), "",
                 "| table | rows | seconds | rows/s |", "|---|---:|---:|---:|"]
        lines += [f"| {t} | {r:,} | {s:.2f} | {r / s if s else 0:,.0f} |" for t, r, s in self.tables]
        for title, items in (("Leaks (run failed)", self.leaks), ("Skipped", self.skipped), ("Uncovered personal-looking columns", self.uncovered)):
            if items:
                lines += ["", f"## {title}", ""] + [f"- {item}" for item in items]
        return "\n".join(lines)


def _strategy(rule: ColumnRule) -> str:
    if rule.strategy == "faker":
        extra = ", unique" if rule.options.get("unique") else ""
        return f"faker {rule.options['provider']}{extra}"
    if rule.strategy in ("noise", "shift", "hash", "template"):
        return f"{rule.strategy} {rule.options}"
    return rule.strategy


class Masker:
    def __init__(self, conn: psycopg.Connection, rules: RuleSet, salt: bytes, store: ObjectStore | None = None):
        self.conn = conn
        self.rules = rules
        self.keyed = Keyed(salt)
        self.fakes = Fakes(self.keyed, rules.locale)
        self.store = store
        self.tables = introspect.columns(conn)
        entries, self.skipped, self.attachment_rules = resolve(
            rules, {t: {c: introspect.base_type(k) for c, k in cols.items()} for t, cols in self.tables.items()},
            introspect.installed_modules(conn, self.tables))
        check_overlaps(conn, entries)
        self.entries: list[TableRule] = entries
        self.dictionaries: dict[str, Dictionary] = {}
        self.scrubber = Scrubber(self._replace_detected, self.fakes.first_name)
        self.produced: set[str] = set()
        self.detector_hits: dict[str, set[str]] = {}
        self.kind_tables: dict[str, sql.Identifier] = {}

    # ---- plan (read only) ------------------------------------------------------
    def plan(self) -> MaskPlan:
        covered = {(e.table, c.column) for e in self.entries for c in e.columns}
        covered |= {(e.table, c) for e in self.entries if e.delete for c in self.tables.get(e.table, {})}
        attachments = [(a, introspect.count(self.conn, "ir_attachment", f"store_fname IS NOT NULL AND ({a.where})"))
                       for a in self.attachment_rules]
        return MaskPlan(
            entries=[EntryPlan(e, introspect.count(self.conn, e.table, e.where)) for e in self.entries],
            attachments=attachments,
            skipped=list(self.skipped),
            uncovered=coverage.uncovered(self.conn, self.tables, covered),
        )

    # ---- run -------------------------------------------------------------------
    def run(self, progress: Progress | None = None) -> MaskReport:
        progress = progress or NoProgress()
        started = time.monotonic()
        report = MaskReport(skipped=list(self.skipped))
        swaps: list[files.FileSwap] = []
        samples = leaks.Samples()
        try:
            self._masked_in_one_transaction(report, swaps, samples, progress)
        except BaseException:
            if self.store is not None:
                for fname in set().union(*(s.created for s in swaps)) if swaps else ():
                    self.store.delete(fname)
            raise
        report.files_replaced = sum(s.replaced for s in swaps)
        if self.store is not None:
            old = set().union(*(s.old_fnames for s in swaps)) if swaps else set()
            report.files_deleted = files.delete_unreferenced(self.conn, self.store, old)
        report.seconds = time.monotonic() - started
        return report

    def _masked_in_one_transaction(self, report: MaskReport, swaps: list, samples: leaks.Samples, progress: Progress) -> None:
        with self.conn.transaction():
            # The joined UPDATEs hash maps of up to a million values: let them stay in memory.
            self.conn.execute("SET LOCAL work_mem = '256MB'")
            with _timed(report.phases, "dictionaries"):
                self._build_dictionaries(samples)
            with _timed(report.phases, "rewrite"):
                self._rewrite_entries(report, progress, samples)
            with _timed(report.phases, "files"):
                if self.store is not None:
                    for rule in self.attachment_rules:
                        swaps.append(files.replace(self.conn, self.store, rule.where))
                elif self.attachment_rules:
                    report.skipped.append("attachment files: no filestore configured, files were not replaced")
            with _timed(report.phases, "leak check"):
                self._check_leaks(report, samples)

    def _check_leaks(self, report: MaskReport, samples: leaks.Samples) -> None:
        samples.discard(self.produced)
        report.samples = len(samples.values)
        found = leaks.scan(self.conn, introspect.columns(self.conn), samples, self.store)
        report.leaks = [str(leak) for leak in found]
        report.leaks += [f"{where}: unmasked {', '.join(sorted(kinds))} left in free text"
                         for where, kinds in sorted(self.detector_hits.items())]
        if report.leaks:
            raise MaskingLeak(report)

    def _dictionary(self, rule: ColumnRule) -> Dictionary:
        provider = rule.options["provider"]
        locale = rule.options.get("locale")
        domain = rule.options.get("domain", "keep")
        kind = rule.options.get("kind") or provider + (f"@{domain}" if domain != "keep" else "") + (f"/{locale}" if locale else "")
        if kind not in self.dictionaries:
            make = lambda original, variant, p=provider, l=locale, d=domain: (  # noqa: E731
                self.fakes.variant(variant) if variant else self.fakes).make(p, original, locale=l, domain=d)
            self.dictionaries[kind] = Dictionary(kind, make, self.keyed)
        dictionary = self.dictionaries[kind]
        dictionary.unique = dictionary.unique or bool(rule.options.get("unique"))
        return dictionary

    def _build_dictionaries(self, samples: leaks.Samples) -> None:
        """Collect every original of every faker column before assigning any fake, so fakes
        depend neither on row order nor on table order, and never equal another original."""
        collected: dict[str, set[str]] = {}
        for entry in self.entries:
            for rule in entry.columns:
                if rule.strategy not in ("faker", "hash"):
                    continue
                originals = self._distinct(entry, rule.column)
                if rule.strategy == "faker":
                    collected.setdefault(self._dictionary(rule).kind, set()).update(originals)
                if _identifying(rule):
                    candidates = heapq.nsmallest(200, originals, key=lambda v: self.keyed.digest("sample", v))
                    samples.add(f"{entry.table}.{rule.column}", self._personal_only(entry, rule.column, candidates))
        for dictionary in self.dictionaries.values():  # build Faker pools before forking workers
            dictionary.make("warm up", 0)
        drawn = parallel.first_draws({kind: (self.dictionaries[kind].make, list(originals)) for kind, originals in collected.items()})
        for kind, originals in collected.items():
            self.dictionaries[kind].add_all(originals, drawn.get(kind))
        for kind in KNOWN_IN_TEXT:
            if kind in self.dictionaries:
                self.scrubber.add_known(self.dictionaries[kind].fakes.items())
        for dictionary in self.dictionaries.values():
            self.produced.update(dictionary.fakes.values())

    def _distinct(self, entry: TableRule, column: str) -> list[str]:
        kind = self.tables[entry.table][column]
        target = sql.Identifier(column)
        source = sql.Identifier(entry.table)
        if kind.startswith("jsonb"):
            query = sql.SQL("SELECT DISTINCT j.value FROM {} t, jsonb_each_text(t.{}) AS j WHERE j.value IS NOT NULL").format(source, target)
            query += sql.SQL(" AND ({})").format(sql.SQL(entry.where)) if entry.where else sql.SQL("")
        else:
            query = sql.SQL("SELECT DISTINCT {}::text FROM {} WHERE {} IS NOT NULL").format(target, source, target)
            query += sql.SQL(" AND ({})").format(sql.SQL(entry.where)) if entry.where else sql.SQL("")
        return [value for (value,) in self.conn.execute(query)]

    def _personal_only(self, entry: TableRule, column: str, values: list[str]) -> list[str]:
        """Drop values the same column keeps in rows this entry leaves alone: those are business data."""
        if not entry.where or not values or self.tables[entry.table][column].startswith("jsonb"):
            return values
        kept = {v for (v,) in self.conn.execute(
            sql.SQL("SELECT DISTINCT {}::text FROM {} WHERE NOT ({}) AND {}::text = ANY(%s)").format(
                sql.Identifier(column), sql.Identifier(entry.table), sql.SQL(entry.where), sql.Identifier(column)), (values,))}
        return [v for v in values if v not in kept]

    def _replace_detected(self, kind: str, original: str) -> str:
        dictionary = self.dictionaries.get(kind)
        if dictionary is None:
            make = lambda o, variant, k=kind: (self.fakes.variant(variant) if variant else self.fakes).make(k, o)  # noqa: E731
            dictionary = self.dictionaries[kind] = Dictionary(kind, make, self.keyed)
        fake = dictionary.get(original)
        self.produced.add(fake)
        return fake

    def _rewrite_entries(self, report: MaskReport, progress: Progress, samples: leaks.Samples) -> None:
        """Entry by entry: read its distinct values, compute their new values, load the maps, UPDATE.

        The Python part of the next entry (scrub, hash, shift, noise) runs in a thread while
        PostgreSQL rewrites this one; psycopg frees the GIL while it waits on the server. One
        thread, entries in order, so dictionaries grow in the same order every run."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="formwork-mask") as thread:
            # Dictionaries go to temp tables while the first entry computes, and before any scrub
            # adds to them (from the thread): the thread only ever adds values no column holds.
            snapshots = {kind: list(d.fakes.items()) for kind, d in self.dictionaries.items()}
            upcoming = self.entries and thread.submit(self._compute, self.entries[0], self._read(self.entries[0]), samples)
            for kind in sorted(snapshots):
                self.kind_tables[kind] = load_map(self.conn, snapshots.pop(kind))
            for i, entry in enumerate(self.entries):
                computing = upcoming or thread.submit(self._compute, entry, self._read(entry), samples)
                rw = self._load(entry, computing.result())
                # Reading ahead is safe: no two entries rewrite the same cells (check_overlaps).
                following = self.entries[i + 1] if i + 1 < len(self.entries) else None
                upcoming = following and thread.submit(self._compute, following, self._read(following), samples)
                report.tables.append(self._apply(entry, rw, progress))
                report.columns.update({f"{entry.table}.{c.column}": _strategy(c) for c in entry.columns})
                if entry.delete:
                    report.deleted[entry.table] = report.deleted.get(entry.table, 0) + report.tables[-1][1]

    def _read(self, entry: TableRule) -> dict[str, list]:
        """Column -> the distinct values (or noise keys) its new values are computed from."""
        values: dict[str, list] = {}
        for rule in entry.columns:
            if rule.strategy in ("scrub", "hash"):
                values[rule.column] = self._distinct(entry, rule.column)
            elif rule.strategy == "shift":
                values[rule.column] = self._distinct_typed(entry, rule.column)
            elif rule.strategy == "noise":
                keys = self.conn.execute(sql.SQL("SELECT DISTINCT {} FROM {} o").format(_noise_key(rule), sql.Identifier(entry.table))
                                         + (sql.SQL(" WHERE ") + sql.SQL(entry.where) if entry.where else sql.SQL("")))
                values[rule.column] = [k for (k,) in keys if k is not None]
        return values

    def _compute(self, entry: TableRule, values: dict[str, list], samples: leaks.Samples) -> dict[str, list[tuple]]:
        """Column -> (original as text, new value as text) pairs; pure Python, runs in the thread."""
        pairs: dict[str, list[tuple]] = {}
        for rule in entry.columns:
            if rule.column not in values:
                continue
            if rule.strategy in ("scrub", "hash"):
                function = self._scrub_recording(entry, rule.column, samples) if rule.strategy == "scrub" else hashed(rule, self.keyed)
                pairs[rule.column] = [(v, function(v)) for v in values[rule.column]]
            elif rule.strategy == "shift":
                move = shift(rule, self.keyed)
                pairs[rule.column] = [(text, str(move(value))) for value, text in values[rule.column]]
            elif rule.strategy == "noise":
                factor = noise_factor(rule, self.keyed)
                pairs[rule.column] = [(k, factor(k)) for k in values[rule.column]]
        return pairs

    def _load(self, entry: TableRule, pairs: dict[str, list[tuple]]) -> Rewrite:
        """Maps into temp tables; the Rewrite that joins them."""
        types = self.tables[entry.table]
        rw = Rewrite(entry.table, entry.where, types)
        for rule in entry.columns:
            json = types[rule.column].startswith("jsonb")
            if rule.strategy == "faker":
                rw.columns[rule.column] = Mapped(self._kind_table(self._dictionary(rule)), json=json)
            elif rule.strategy in ("scrub", "hash", "shift"):
                rw.columns[rule.column] = Mapped(load_map(self.conn, pairs[rule.column]), json=json)
            elif rule.strategy == "noise":
                rw.columns[rule.column] = Scaled(load_map(self.conn, pairs[rule.column]), _noise_key(rule), int(rule.options.get("round", 2)))
            elif rule.strategy in ("constant", "null"):
                rw.columns[rule.column] = Literal(rule.options.get("value"))
            elif rule.strategy == "template":
                rw.columns[rule.column] = Expression(template_sql(rule))
        return rw

    def _apply(self, entry: TableRule, rw: Rewrite, progress: Progress) -> tuple[str, int, float]:
        started = time.monotonic()
        expected = introspect.count(self.conn, entry.table, entry.where)
        progress.start(entry.table, expected)
        rows = delete(self.conn, entry.table, entry.where) if entry.delete else rewrite(self.conn, rw, expected)
        progress.advance(rows)
        progress.finish()
        return entry.table, rows, time.monotonic() - started

    def _kind_table(self, dictionary: Dictionary):
        """One temp table per dictionary, loaded once, shared by every column of that kind."""
        if dictionary.kind not in self.kind_tables:
            self.kind_tables[dictionary.kind] = load_map(self.conn, dictionary.fakes.items())
        return self.kind_tables[dictionary.kind]

    def _distinct_typed(self, entry: TableRule, column: str) -> list[tuple]:
        """(value, value as PostgreSQL prints it): the join key must match the server's text form."""
        query = sql.SQL("SELECT DISTINCT {c}, {c}::text FROM {t} WHERE {c} IS NOT NULL").format(
            c=sql.Identifier(column), t=sql.Identifier(entry.table))
        if entry.where:
            query += sql.SQL(" AND ({})").format(sql.SQL(entry.where))
        return self.conn.execute(query).fetchall()

    def _scrub_recording(self, entry: TableRule, column: str, samples: leaks.Samples):
        """Scrub; keep a few replaced originals as leak-check samples; run the detectors on the result."""
        origin = f"{entry.table}.{column}"
        budget = [40]

        def apply(text: str) -> str:
            new = self.scrubber.scrub(text)
            if new != text:
                if budget[0] > 0:
                    for kind in IDENTIFYING_IN_TEXT:
                        found = [m.group(0) for m in DETECTORS[kind].finditer(text) if not _role_mailbox(m.group(0))]
                        samples.add(origin, found, limit=2)
                    budget[0] -= 1
                self._detect(origin, new)
            return new

        return apply

    def _detect(self, where: str, text: str) -> None:
        """Every email/IBAN/phone/NI number left in scrubbed text must be one masking produced."""
        detector = detector_for(text)
        for match in detector.finditer(text) if detector is not None else ():
            hit, kind = match.group(0), KINDS[int(match.lastgroup[1:])]
            if hit not in self.produced and not (kind == "email" and _role_mailbox(hit)):
                self.detector_hits.setdefault(where, set()).add(kind)


@contextmanager
def _timed(phases: dict[str, float], name: str):
    """Adds the wall time of a `with` block to phases[name]."""
    started = time.monotonic()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.monotonic() - started


def _noise_key(rule: ColumnRule) -> sql.Composable:
    """What rows moving together share: the row itself unless the rule names a key (e.g. employee_id)."""
    return sql.SQL("({})::text").format(sql.SQL(rule.options["key"])) if rule.options.get("key") else sql.SQL("o.id::text")


def _identifying(rule: ColumnRule) -> bool:
    if rule.strategy == "hash":
        return int(rule.options.get("length", 12)) >= 8
    return rule.options.get("provider") in IDENTIFYING


def _role_mailbox(address: str) -> bool:
    return EMAIL.fullmatch(address) is not None and address.split("@")[0].lower() in ROLE_MAILBOXES


class MaskingLeak(OperationError):
    """Raised inside the transaction, so the database is left as it was."""

    def __init__(self, report: MaskReport):
        self.report = report
        super().__init__(f"masking left {len(report.leaks)} leak(s); database left unchanged: " + "; ".join(report.leaks[:5]))
