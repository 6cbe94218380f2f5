"""An Odoo-17-shaped database of a construction company, for demos, tests and benchmarks."""
