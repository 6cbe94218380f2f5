"""One-line messages quote other errors by their first line, and failed programs by their last."""

from __future__ import annotations

import psycopg

from formwork.errors import first_line, last_line


def test_an_error_is_quoted_by_its_first_line_or_its_type():
    assert first_line(psycopg.OperationalError('\nconnection refused\n\tIs the server running on "db"?')) == "connection refused"
    assert first_line(OSError()) == "OSError"  # an empty message was an IndexError inside the drill's report
    assert first_line(ValueError("  "), "malformed URI") == "malformed URI"


def test_a_failed_program_is_quoted_by_its_last_line():
    assert (
        last_line("restoring 12%\nrestoring 80%\npg_restore: error: could not read\n", "no output")
        == "pg_restore: error: could not read"
    )
    assert last_line(" \n", "no output") == "no output"
