"""The Odoo stand-in the tests run in a thread: see formwork.local.odoo_standin."""

from formwork.local.odoo_standin import OdooStandIn  # noqa: F401
