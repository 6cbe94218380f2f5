"""pay: masked pay on the columns formwork.masking.pay.COLUMNS lists (wage, payslips, lines, wage history)."""

from psycopg import sql

from formwork.masking.pay import COLUMNS
from formwork.masking.rewrite import Mapped, load_map
from formwork.masking.strategies import NUMBERS, Strategy, register


@register
class Pay(Strategy):
    name = "pay"
    types = NUMBERS

    def misfit(self, table, column):
        if (table, column) not in COLUMNS:
            return f"pay cannot rewrite {table}.{column} (it rewrites only: {', '.join(f'{t}.{c}' for t, c in COLUMNS)})"
        return None

    def read(self, masker, entry, rule):
        return masker.pay.pairs(entry.table, rule.column)  # (row id, new value)

    def column(self, masker, rule, pairs):
        return Mapped(load_map(masker.conn, pairs), sql.SQL("o.id"))
