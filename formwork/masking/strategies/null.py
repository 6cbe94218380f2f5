"""null: the column is emptied."""

from formwork.masking.rewrite import Literal
from formwork.masking.strategies import Strategy, register


@register
class Null(Strategy):
    name = "null"
    erased = True

    def column(self, masker, rule, pairs):
        return Literal(None)
