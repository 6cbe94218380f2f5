"""staging_password: Odoo's hash of the environment's staging password, or NULL without one
(formwork.masking.staging_login); written from a loaded table, so it is in no statement's text."""

from formwork.masking.rewrite import Hidden, Literal, load_value
from formwork.masking.staging_login import STRATEGY
from formwork.masking.strategies import Strategy, register


@register
class StagingPassword(Strategy):
    name = STRATEGY
    erased = True
    types = frozenset({"character varying", "text"})

    def column(self, masker, rule, pairs):
        return Hidden(load_value(masker.conn, masker.login_hash)) if masker.login_hash else Literal(None)
