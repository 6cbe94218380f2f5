"""Which rules files a deployed run may read: the project's own rule folders, and the files the
environment's configuration names.

A deployment's parameters come from whoever may start a run in Prefect. A rules parameter naming any
path would have the worker read any file it can (and quote its first line in the refusal), so the
path is resolved, symlinks followed, and must land in one of those places.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from formwork.errors import InputError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RULE_FOLDERS = ("masking_rules", "rewiring_rules")


def confined(value: str, configured: Iterable[str], *, option: str) -> str:
    """The resolved file (a relative path is the project's, not the worker's current folder); InputError otherwise."""
    path = (PROJECT_ROOT / value).resolve()
    inside = any((PROJECT_ROOT / folder).resolve() in path.parents for folder in RULE_FOLDERS)
    if inside or path in {Path(file).resolve() for file in configured}:
        return str(path)
    raise InputError(
        f"{option} '{value}': a deployed run reads only the project's rules files "
        f"({', '.join(folder + '/' for folder in RULE_FOLDERS)}) or those the environment's configuration names"
    )
