"""keep: the column stays as it is (a personal-looking column listed on purpose)."""

from formwork.masking.strategies import Strategy, register


@register
class Keep(Strategy):
    name = "keep"
    spares_shipped = True

    def tracked(self, rule, kind, group):
        return None
