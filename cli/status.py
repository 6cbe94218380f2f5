"""`formwork status [ENV...]`: is each environment inside its recovery and release objectives, and why not."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("status")
@click.argument("names", nargs=-1, metavar="[ENV]...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per environment, for monitors.")
@click.option("--charts", type=click.Path(file_okay=False, path_type=Path), help="Also draw the charts (PNG) into this folder.")
def status(names: tuple[str, ...], as_json: bool, charts: Path | None) -> None:
    """One row per environment: inside, at risk or outside its objectives, with the reasons.
    Exit 0 when every environment is inside, 1 otherwise (for CI and monitors)."""
    from formwork.posture import render
    from formwork.posture.verdict import INSIDE
    from tasks.posture import estate

    postures = estate(list(names) or None)
    if not postures:
        click.echo("no environments yet: formwork env add NAME --dsn URI")
        return
    click.echo(render.as_json(postures) if as_json else render.table(postures) + "\n\n" + render.summary(postures))
    if charts is not None:
        _draw(postures, charts)
    if any(p.state != INSIDE for p in postures):
        raise click.exceptions.Exit(1)  # not an error: the answer, for CI and monitors


def _draw(postures, folder: Path) -> None:
    from formwork.posture import charts

    folder.mkdir(parents=True, exist_ok=True)
    now = max(p.facts.checked_at for p in postures)
    for name, png in (
        ("rto.png", charts.rto_over_time([p.facts for p in postures])),
        ("restorable-point-age.png", charts.point_age_over_the_day([p.facts for p in postures], now)),
    ):
        if png:
            (folder / name).write_bytes(png)
            click.echo(f"chart: {folder / name}", err=True)
