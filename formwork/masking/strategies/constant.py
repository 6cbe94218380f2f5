"""constant: every row gets the same value (`{constant: value}`, null allowed)."""

from formwork.masking.rewrite import Literal
from formwork.masking.strategies import Strategy, register


@register
class Constant(Strategy):
    name = "constant"
    schema = {"type": ["string", "number", "boolean", "null"]}

    def options(self, src, path, spec, siblings):
        return {"value": spec[self.name]}

    def column(self, masker, rule, pairs):
        return Literal(rule.options.get("value"))
