"""Dropped connections are retried with a pause; wrong input and failed checks are not."""

from __future__ import annotations

import psycopg
import pytest
from prefect import flow, task

from formwork.errors import InputError
from formwork.postgres_cluster import free_port
from tasks.alerts import post_alert
from tasks.backup import take_backup
from tasks.drill import restore_scratch
from tasks.refresh import clone_database, copy_filestore, restore_backup
from tasks.release import copy_image, pin
from tasks.retries import retry_transient, retry_unless_refused
from tasks.seed import load_attachments, load_group

attempts: list[str] = []


@task(retries=2, retry_delay_seconds=0, retry_condition_fn=retry_transient)
def flaky(pg_dsn: str, fail_with: str) -> int:
    attempts.append(fail_with)
    if fail_with == "connection" and len(attempts) == 1:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/x", connect_timeout=2)  # nothing listens there
    if fail_with == "input":
        raise InputError("bad value")
    with psycopg.connect(pg_dsn) as conn:
        return conn.execute("SELECT 1").fetchone()[0]


@flow
def run_flaky(pg_dsn: str, fail_with: str) -> int:
    return flaky(pg_dsn, fail_with)


def test_a_dropped_connection_is_retried_and_the_step_succeeds(pg, prefect_api):
    attempts.clear()
    assert run_flaky(pg.dsn(), "connection") == 1
    assert len(attempts) == 2


def test_wrong_input_is_not_retried(pg, prefect_api):
    attempts.clear()
    with pytest.raises(InputError):
        run_flaky(pg.dsn(), "input")
    assert len(attempts) == 1


@pytest.mark.parametrize("step", [clone_database, restore_backup, take_backup, restore_scratch])
def test_the_long_steps_retry_only_transient_failures(step):
    assert step.retries >= 1 and step.retry_delay_seconds and step.retry_condition_fn is retry_transient


@task(retries=2, retry_delay_seconds=0, retry_condition_fn=retry_unless_refused)
def copying(fail_with: str) -> str:
    attempts.append(fail_with)
    if fail_with == "input":
        raise InputError("refused: the target is production")
    if len(attempts) == 1:
        raise ConnectionResetError("the object store hung up")
    return "copied"


@flow
def run_copying(fail_with: str) -> str:
    return copying(fail_with)


def test_a_refusal_is_not_retried_where_any_other_failure_is(prefect_api):
    attempts.clear()
    assert run_copying("network") == "copied" and len(attempts) == 2
    attempts.clear()
    with pytest.raises(InputError):
        run_copying("input")
    assert len(attempts) == 1


@pytest.mark.parametrize("step", [copy_filestore, copy_image, pin, load_group, load_attachments, post_alert])
def test_the_other_retried_steps_never_retry_a_refusal(step):
    assert step.retries >= 1 and step.retry_condition_fn is retry_unless_refused
