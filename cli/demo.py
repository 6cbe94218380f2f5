"""`formwork demo`: what `make demo` runs."""

from __future__ import annotations

import click


@click.command()
def demo() -> None:
    """Start the embedded stack, seed production, register prod/staging/dr and run every pipeline."""
    from demo.estate import run_demo

    run_demo()
