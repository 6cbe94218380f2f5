"""noise: numbers scaled by a keyed factor within +/- `percent`. One domain for all noise: rows with
equal `key` (one employee's contract, payslips, lines and wage history) move by the same factor,
whatever table they are in; without a key each row moves on its own."""

from dataclasses import replace

from psycopg import sql

from formwork.masking.rewrite import Scaled, load_map
from formwork.masking.strategies import NUMBERS, Strategy, register


@register
class Noise(Strategy):
    name = "noise"
    types = NUMBERS
    schema = {
        "type": "object",
        "required": ["percent"],
        "properties": {
            "percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
            "round": {"type": "integer", "minimum": 0, "maximum": 6},
            "key": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }
    shown = True
    spares_shipped = True

    def options(self, src, path, spec, siblings):
        options = super().options(src, path, spec, siblings)
        if "key" in options:
            src.check_expression(path + [self.name, "key"], options["key"])
        return options

    def tracked(self, rule, kind, group):
        if rule.options.get("key"):  # an expression over the column's row, which its tracked values are not
            return f"noise keyed by {rule.options['key']}"
        key = "(SELECT fw_m.res_id FROM mail_message fw_m WHERE fw_m.id = o.mail_message_id)"  # each record its own factor
        return replace(rule, column="integer" if group == "integer" else "float", options={**rule.options, "key": key})

    def read(self, masker, entry, rule):
        where = sql.SQL(" WHERE ({})").format(sql.SQL(entry.where)) if entry.where else sql.SQL("")
        keys = masker.conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM {} o").format(_key(rule), sql.Identifier(entry.table)) + where
        )
        percent = float(rule.options["percent"]) / 100
        return [(k, repr(1 + percent * (2 * masker.keyed.fraction("noise", k) - 1))) for (k,) in keys if k is not None]

    def column(self, masker, rule, pairs):
        return Scaled(load_map(masker.conn, pairs), _key(rule), int(rule.options.get("round", 2)))


def _key(rule) -> sql.Composable:
    return sql.SQL("({})::text").format(sql.SQL(rule.options["key"])) if rule.options.get("key") else sql.SQL("o.id::text")
