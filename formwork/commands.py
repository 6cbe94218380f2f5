"""Every program Formwork runs, started one way: its command line logged, a timeout, a failure in one line.

A program never waits on the terminal (stdin is empty unless `input` is given). A secret never goes on a
command line (any local user reads it in the process list): passwords travel in the environment (PGPASSWORD)
or in files, and a `--dbname=` conninfo is built without its password. What is logged is still redacted (a
`user:password@` in an address), in case a caller slips. A failure becomes an OperationError naming what ran
and the line of the program's output that says why.
"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from formwork.errors import OperationError, last_line

log = logging.getLogger("formwork.commands")
_PASSWORD_IN_ADDRESS = re.compile(r"(://[^/\s:@]+):[^@\s]*@")


def last_output_line(done: subprocess.CompletedProcess) -> str:
    """The last line the program printed on stderr (its error, after any progress), else on stdout."""
    return last_line(output_text(done.stderr), "") or last_line(output_text(done.stdout), f"exit {done.returncode}, no message")


def run(
    args: Sequence[str | Path],
    what: str,
    *,
    timeout: float | None = 3600,
    input: str | bytes | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    text: bool = True,
    check: bool = True,
    reason: Callable[[subprocess.CompletedProcess], str] = last_output_line,
    install: str = "",
) -> subprocess.CompletedProcess:
    """Run `args` to the end, output captured. `what` names the step in errors ("pg_restore --list of X");
    `check`: a non-zero exit raises OperationError("{what} failed: {reason}"), else the caller reads it;
    `install`: how to install the program, said when it is missing."""
    command = [str(arg) for arg in args]
    log.debug("running %s", redacted(command))
    try:
        done = subprocess.run(
            command,
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            cwd=cwd,
            env=None if env is None else dict(env),
            capture_output=True,
            text=text,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise OperationError(f"{what} failed: {command[0]} is not installed" + (f" ({install})" if install else "")) from None
    except OSError as exc:
        raise OperationError(f"{what} failed: cannot run {command[0]} ({exc.strerror})") from None
    except subprocess.TimeoutExpired:
        raise OperationError(f"{what} did not finish within {timeout:.0f} s") from None
    if check and done.returncode != 0:
        raise OperationError(f"{what} failed: {reason(done)}")
    return done


def redacted(command: Sequence[str]) -> str:
    return _PASSWORD_IN_ADDRESS.sub(r"\1:***@", shlex.join(command))


def output_text(output: str | bytes | None) -> str:
    """A program's captured output as text, whether it ran with text=True or not."""
    return output.decode("utf-8", "replace") if isinstance(output, bytes) else output or ""
