"""The Odoo stand-in the tests run in a thread: see local.odoo_standin."""

from local.odoo_standin import OdooStandIn  # noqa: F401
