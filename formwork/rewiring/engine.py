"""Applying and checking rewiring rules on one database.

A rule of a module that is not installed is skipped and reported; one whose
module is installed but whose table or column is absent is schema drift, refused
when the Rewirer is made, before any row is read or written (formwork.odoo_schema).
Applying runs in one transaction and touches only live rows; checking counts the
same rows without touching them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from formwork import odoo_schema
from formwork.masking import introspect
from formwork.production_guard import refuse_production
from formwork.rewiring.model import Rule, RuleSet
from formwork.rewiring.rules import PLACEHOLDER

PLAIN_TEXT = ("character varying", "text")


@dataclass(frozen=True)
class Settings:
    """What the placeholders of the rules stand for, for one target environment."""

    environment: str
    base_url: str
    mail_host: str = "localhost"
    mail_port: int = 1025
    cron_allowlist: tuple[str, ...] = ("base.autovacuum_job",)

    def values(self) -> dict[str, object]:
        return {
            "environment": self.environment,
            "base_url": self.base_url,
            "mail_host": self.mail_host,
            "mail_port": self.mail_port,
            "cron_allowlist": list(self.cron_allowlist),
        }


@dataclass(frozen=True)
class Live:
    rule: Rule
    rows: int

    def __str__(self) -> str:
        return f"{self.rule.name}: {self.rows} live in {self.rule.table} ({self.rule.about})"


@dataclass
class RewireReport:
    environment: str
    applied: list[tuple[Rule, int]] = field(default_factory=list)  # rule, rows changed
    skipped: list[tuple[Rule, str]] = field(default_factory=list)  # rule, why
    live: list[Live] = field(default_factory=list)  # what the check found afterwards

    def summary(self) -> str:
        changed = sum(rows for _, rows in self.applied)
        verdict = f"{len(self.live)} LIVE ENDPOINT KIND(S) REMAIN" if self.live else "nothing live remains"
        return (
            f"rewired {self.environment}: {changed} rows changed by {sum(1 for _, r in self.applied if r)} of "
            f"{len(self.applied)} rules, {len(self.skipped)} skipped; {verdict}"
        )

    def markdown(self) -> str:
        lines = [
            f"# Rewiring report: {self.environment}",
            "",
            self.summary(),
            "",
            "| rule | table | rows changed | what it ensures |",
            "|---|---|---:|---|",
        ]
        lines += [f"| {r.name} | {r.table} | {rows} | {r.about} |" for r, rows in self.applied]
        if self.live:
            lines += ["", "## Still live (run failed)", ""] + [f"- {live}" for live in self.live]
        if self.skipped:
            lines += ["", "## Skipped", ""] + [f"- {r.name}: {why}" for r, why in self.skipped]
        return "\n".join(lines)


class Rewirer:
    def __init__(self, conn: psycopg.Connection, rules: RuleSet, settings: Settings):
        self.conn = conn
        self.rules = rules
        self.settings = settings
        self.schema = odoo_schema.read(conn)
        self.tables = self.schema.columns
        self.skipped = {rule.name: self._skip_reason(rule) for rule in rules.rules}  # SchemaDrift here, before any change

    def check(self) -> tuple[list[Live], list[tuple[Rule, str]]]:
        """(live rows per rule, skipped rules with the reason); changes nothing."""
        live, skipped = [], []
        with self.conn.transaction(force_rollback=True):
            for rule, rows, why in self._each(self._count):
                if why:
                    skipped.append((rule, why))
                elif rows:
                    live.append(Live(rule, rows))
        return live, skipped

    def apply(self) -> RewireReport:
        """Cut every live row, in one transaction; then check (after the commit)."""
        refuse_production(self.conn, "rewire")
        report = RewireReport(self.settings.environment)
        with self.conn.transaction():
            for rule, rows, why in self._each(self._cut):
                if why:
                    report.skipped.append((rule, why))
                else:
                    report.applied.append((rule, rows))
        report.live, _ = self.check()
        return report

    def _each(self, run: Callable[[Rule], int]) -> Iterator[tuple[Rule, int, str | None]]:
        """(rule, rows, None) for each rule run, or (rule, 0, why) for a rule skipped."""
        for rule in self.rules.rules:
            why = self.skipped[rule.name]
            yield (rule, 0, why) if why else (rule, self._guarded(rule, run), None)

    # ---- what is installed ---------------------------------------------------------
    def _skip_reason(self, rule: Rule) -> str | None:
        """Why a rule does not apply here; SchemaDrift when it applies but its table or a column is missing."""
        needed = list(rule.set) + list(rule.ensure) + (self.schema.declared_text(rule.table, rule.clear) if rule.clear else [])
        why = self.schema.skip_reason(rule.module, rule.table, needed)
        if why:
            return why
        missing = self.schema.missing(rule.table, needed)
        if missing:
            raise odoo_schema.drift(f"{rule.origin} ({rule.name})", f"{missing} does not exist", rule.module)
        if rule.clear and not self._cleared(rule):
            return f"no text column of {rule.table} matches /{rule.clear}/ (nothing to clear)"
        return None

    def _cleared(self, rule: Rule) -> list[str]:
        columns = self.tables.get(rule.table, {})
        return [c for c, kind in columns.items() if introspect.base_type(kind) in PLAIN_TEXT and re.search(rule.clear, c)]

    def _guarded(self, rule: Rule, run: Callable[[Rule], int]) -> int:
        """Runs one rule in a savepoint; a table or column its SQL names but the database lacks is schema drift."""
        try:
            with self.conn.transaction():
                return run(rule)
        except (errors.UndefinedColumn, errors.UndefinedTable) as exc:
            raise odoo_schema.drift(
                f"{rule.origin} ({rule.name})", f"its SQL on {rule.table} fails ({exc.diag.message_primary})", rule.module
            ) from None

    # ---- the SQL of each kind of rule ----------------------------------------------
    def _sql(self, text: str) -> sql.Composable:
        """Rule SQL with placeholders as literals: no driver parameters, so % in LIKE needs no escaping."""
        values = self.settings.values()
        parts, last = [], 0
        for match in PLACEHOLDER.finditer(text):
            parts += [sql.SQL(text[last : match.start()]), sql.Literal(values[match.group(1)])]
            last = match.end()
        return sql.Composed(parts + [sql.SQL(text[last:])])

    def _live(self, rule: Rule) -> sql.Composable:
        """The condition selecting a rule's live rows of its table."""
        if rule.parameter is not None and rule.remove:
            return sql.SQL("key ~ {}").format(sql.Literal(rule.parameter))
        if rule.parameter is not None:
            differs = self._sql(rule.live) if rule.live else sql.SQL("value IS DISTINCT FROM ({})").format(self._sql(rule.value))
            return sql.SQL("key = {} AND ({})").format(sql.Literal(rule.parameter), differs)
        condition = sql.SQL("({})").format(self._sql(rule.live)) if rule.live else sql.SQL("true")
        if rule.clear:
            filled = sql.SQL(" OR ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in self._cleared(rule))
            condition = sql.SQL("{} AND ({})").format(condition, filled)
        return condition

    def _count(self, rule: Rule) -> int:
        table = sql.Identifier(rule.table)
        if rule.ensure:
            return 0 if self._present(rule) else 1
        if rule.parameter is not None and not rule.remove and not self._parameter_exists(rule.parameter):
            return 1
        return self.conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, self._live(rule))).fetchone()[0]

    def _cut(self, rule: Rule) -> int:
        table = sql.Identifier(rule.table)
        if rule.ensure:
            if self._present(rule):
                return 0
            columns = list(rule.ensure)
            self.conn.execute(
                sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    table,
                    sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.SQL(", ").join(self._sql(rule.ensure[c]) for c in columns),
                )
            )
            return 1
        if rule.parameter is not None and not rule.remove:
            if not self._parameter_exists(rule.parameter):
                self.conn.execute(
                    sql.SQL(
                        "INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
                        "VALUES ({}, ({}), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')"
                    ).format(sql.Literal(rule.parameter), self._sql(rule.value))
                )
                return 1
            return self.conn.execute(
                sql.SQL("UPDATE ir_config_parameter SET value = ({}), write_date = now() AT TIME ZONE 'UTC' WHERE {}").format(
                    self._sql(rule.value), self._live(rule)
                )
            ).rowcount
        if rule.delete or rule.remove:
            return self.conn.execute(sql.SQL("DELETE FROM {} WHERE {}").format(table, self._live(rule))).rowcount
        sets = [sql.SQL("{} = {}").format(sql.Identifier(c), self._sql(v)) for c, v in rule.set.items()]
        sets += [sql.SQL("{} = NULL").format(sql.Identifier(c)) for c in (self._cleared(rule) if rule.clear else ())]
        return self.conn.execute(
            sql.SQL("UPDATE {} SET {} WHERE {}").format(table, sql.SQL(", ").join(sets), self._live(rule))
        ).rowcount

    def _present(self, rule: Rule) -> bool:
        match = sql.SQL(" AND ").join(
            sql.SQL("{} IS NOT DISTINCT FROM ({})").format(sql.Identifier(c), self._sql(v)) for c, v in rule.ensure.items()
        )
        return self.conn.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {})").format(sql.Identifier(rule.table), match)
        ).fetchone()[0]

    def _parameter_exists(self, key: str) -> bool:
        return self.conn.execute("SELECT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = %s)", (key,)).fetchone()[0]
