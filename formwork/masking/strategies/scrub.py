"""scrub: personal data found inside free text is replaced (formwork.masking.scrub), keeping the rest."""

from dataclasses import replace

from formwork.masking.strategies import TEXT, Strategy, register


@register
class Scrub(Strategy):
    name = "scrub"
    types = TEXT
    by_row = True

    def tracked(self, rule, kind, group):
        return replace(rule, column="char+text")

    def function(self, masker, entry, rule, result):
        return masker.scrub_recording(entry, rule.column, result)
