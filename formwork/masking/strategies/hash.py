"""hash: a keyed code of `length` characters from `alphabet`, after `prefix`; equal values get equal
codes. `of`: tracked history hashes as its column does."""

from dataclasses import replace

from formwork.masking import normal_forms
from formwork.masking.strategies import TEXT, Strategy, register

ALPHABETS = {
    "digits": "0123456789",
    "hex": "0123456789abcdef",
    "alnum": "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
    "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
}


@register
class Hash(Strategy):
    name = "hash"
    types = TEXT
    schema = {
        "type": ["boolean", "object"],
        "if": {"type": "boolean"},
        "then": {"const": True},
        "properties": {
            "length": {"type": "integer", "minimum": 1, "maximum": 64},
            "alphabet": {"enum": list(ALPHABETS)},
            "prefix": {"type": "string"},
        },
        "additionalProperties": False,
    }
    shown = True
    by_row = True
    spares_shipped = True

    def tracked(self, rule, kind, group):
        return replace(rule, column="char+text", options={**rule.options, "of": rule.column})

    def leak_kind(self, rule):
        return normal_forms.CODE if int(rule.options.get("length", 12)) >= 8 else None

    def function(self, masker, entry, rule, result):
        length = int(rule.options.get("length", 12))
        alphabet = ALPHABETS[rule.options.get("alphabet", "alnum")]
        prefix = str(rule.options.get("prefix", ""))
        kind = f"hash/{rule.options.get('of', rule.column)}"
        return lambda value: prefix + masker.keyed.chars(kind, value, alphabet, length)
