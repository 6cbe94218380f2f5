"""A run's report, published: the markdown artifact a reviewer opens from the run, and its summary in the run's log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from prefect.artifacts import create_markdown_artifact

from formwork.errors import first_line


class Report(Protocol):
    @property
    def artifact_key(self) -> str: ...

    def summary(self) -> str: ...

    def markdown(self) -> str: ...


R = TypeVar("R", bound=Report)


def publish(report: R) -> R:
    create_markdown_artifact(report.markdown(), key=report.artifact_key, description=report.summary())
    print(report.summary())
    return report


class _Outcome(Report, Protocol):
    outcome: str


@contextmanager
def published_when_failing(report: _Outcome) -> Iterator[None]:
    """A step that fails still leaves the report, saying why; a report already published (a rejection) stands."""
    try:
        yield
    except Exception as exc:
        if report.outcome == "running":
            report.outcome = f"FAILED ({first_line(exc)})"
            publish(report)
        raise
