"""scrub: personal data found inside free text is replaced (formwork.masking.scrub), keeping the rest."""

from formwork.masking.strategies import TEXT, Strategy, register


@register
class Scrub(Strategy):
    name = "scrub"
    types = TEXT
    by_row = True

    def function(self, masker, entry, rule, result):
        return masker.scrub_recording(entry, rule.column, result)
