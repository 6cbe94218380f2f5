"""pay: masked pay on the columns formwork.masking.pay.COLUMNS lists (wage, payslips, lines, wage history)."""

from psycopg import sql

from formwork.masking.rewrite import Mapped, load_map
from formwork.masking.strategies import Strategy, register


@register
class Pay(Strategy):
    name = "pay"

    def read(self, masker, entry, rule):
        return masker.pay.pairs(entry.table, rule.column)  # (row id, new value)

    def column(self, masker, rule, pairs):
        return Mapped(load_map(masker.conn, pairs), sql.SQL("o.id"))
