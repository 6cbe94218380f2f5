"""Formwork's steps as Prefect tasks. Importing them installs the saved environments (blocks/catalogue.py) as the
production guard's catalogue, so a flow's guards compare against them in whatever process runs it."""

import blocks.catalogue  # noqa: F401
