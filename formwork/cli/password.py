"""Where `formwork env add` reads a database password from, so it never has to sit in argv (`ps` shows argv to every user)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from formwork.errors import InputError


def password_options(command):
    """--password-stdin, --password-env VAR and --password-file PATH: one at most."""
    for option in reversed((
        click.option("--password-stdin", is_flag=True, help="Read the database password from stdin (one line)."),
        click.option("--password-env", metavar="VAR", help="Read the database password from environment variable VAR."),
        click.option("--password-file", metavar="PATH", help="Read the database password from file PATH (first line)."),
    )):
        command = option(command)
    return command


def read_password(stdin: bool, variable: str | None, file: str | None) -> str | None:
    """The password from the one source given, None when none is; InputError naming the source at fault."""
    given = [name for name, value in (("--password-stdin", stdin), ("--password-env", variable), ("--password-file", file)) if value]
    if len(given) > 1:
        raise InputError(f"{' and '.join(given)}: give the password one way only")
    if not given:
        return None
    if stdin:
        where = "--password-stdin"
        value = getpass.getpass("database password: ") if sys.stdin.isatty() else sys.stdin.readline()
    elif variable:
        where, value = f"--password-env '{variable}'", os.environ.get(variable)
        if value is None:
            raise InputError(f"{where}: the variable is not set")
    else:
        where = f"--password-file '{file}'"
        try:
            value = Path(file).read_text(encoding="utf-8").partition("\n")[0]
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{where}: cannot read it ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    value = value.rstrip("\r\n")
    if not value:
        raise InputError(f"{where}: empty password")
    return value
