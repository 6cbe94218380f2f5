"""Where a refresh keeps production's unmasked dump: private to this user, and found again by the next run.

A temporary folder with a random name would outlive a run killed with SIGKILL and never
be looked for again. This one is `<tmp>/formwork-<uid>/refresh-<target>/<run>`, each
level 0700, so the clean-up of the next refresh of the target removes whatever a killed
run left. A `formwork-<uid>` someone else owns, or others may enter, is refused: the
dump is never written where another user could read it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from formwork.errors import OperationError


def root() -> Path:
    """`<tmp>/formwork-<uid>`, created 0700 if absent; refused unless this user's alone."""
    folder = Path(tempfile.gettempdir()) / f"formwork-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        kind = "a directory" if stat.S_ISDIR(found.st_mode) else "not a directory"
        raise OperationError(
            f"dump folder {folder} is not private to this user ({kind}, owner uid {found.st_uid}, "
            f"mode {stat.S_IMODE(found.st_mode):o}): remove it, or point TMPDIR elsewhere"
        )
    return folder


def of_target(target: str) -> Path:
    return root() / f"refresh-{target}"


def remove_left(target: str) -> Path | None:
    """Removes what earlier refreshes of `target` left; the folder removed, or None if there was none."""
    folder = of_target(target)
    if not folder.exists():
        return None
    shutil.rmtree(folder)
    return folder


@contextmanager
def holding(target: str, run: str) -> Iterator[Path]:
    """A new, empty, private folder for this run's dump; removed when the block ends, however it ends."""
    folder = of_target(target)
    folder.mkdir(mode=0o700, exist_ok=True)
    here = folder / run
    here.mkdir(mode=0o700)  # a fresh run id: anything already there is not ours
    try:
        yield here
    finally:
        shutil.rmtree(here, ignore_errors=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: another run's, removed by the next clean-up
