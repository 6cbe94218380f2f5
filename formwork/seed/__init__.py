"""A construction company's database for demos, tests and benchmarks: Odoo-17-shaped tables at any scale
(builder.py), or built through real Odoo 17 (odoo_build.py)."""
