"""The one way Formwork runs a program: a failure is one line naming the step and the program's own reason."""

from __future__ import annotations

import logging
import sys

import pytest

from formwork import commands
from formwork.errors import OperationError


def test_a_failure_names_the_step_and_the_programs_last_error_line():
    script = "import sys; print('progress'); print('first', file=sys.stderr); print('the reason', file=sys.stderr); sys.exit(3)"
    with pytest.raises(OperationError, match=r"^copy of X failed: the reason$"):
        commands.run([sys.executable, "-c", script], "copy of X")


def test_a_program_that_hangs_is_stopped_at_its_timeout():
    with pytest.raises(OperationError, match=r"^sleeping did not finish within 1 s$"):
        commands.run([sys.executable, "-c", "import time; time.sleep(30)"], "sleeping", timeout=1)


def test_a_missing_program_says_how_to_install_it():
    with pytest.raises(OperationError, match=r"^backup failed: no-such-program-x is not installed \(apt-get install x\)$"):
        commands.run(["no-such-program-x"], "backup", install="apt-get install x")


def test_the_logged_command_line_carries_no_password(caplog):
    caplog.set_level(logging.DEBUG, logger="formwork.commands")
    done = commands.run([sys.executable, "-c", "pass", "postgresql://app:s3cret@db/prod"], "probe", check=False)
    assert done.returncode == 0
    assert "s3cret" not in caplog.text and "postgresql://app:***@db/prod" in caplog.text
