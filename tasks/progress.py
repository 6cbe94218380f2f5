"""Progress of a long task as a Prefect progress artifact, plus the command-line line."""

from __future__ import annotations

import time

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from formwork.progress import Combined, LineProgress, Progress


class ArtifactProgress:
    """One progress artifact per step that runs longer than `interval` seconds, updated at most that often.

    A step that ends sooner gets none: a masking run has dozens of steps, most of them a few rows, and an
    artifact costs two API calls (about 1.5 s a run at scale 1, more than its rewrite)."""

    def __init__(self, interval: float = 2.0):
        self.interval = interval
        self.artifact = None
        self.label = ""
        self.total = self.done = 0
        self.last = 0.0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.last, self.artifact = label, total, 0, time.monotonic(), None

    def advance(self, done: int) -> None:
        self.done += done
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._update()

    def finish(self) -> None:
        if self.artifact or time.monotonic() - self.last >= self.interval:
            self.done = max(self.done, self.total)
            self._update()

    def _update(self) -> None:
        pct = min(100.0 * self.done / self.total if self.total else 100.0, 100.0)
        description = f"{self.label}: {self.done:,} of {self.total:,}"
        if self.artifact is None:
            self.artifact = create_progress_artifact(progress=pct, description=description)
        else:
            update_progress_artifact(self.artifact, progress=pct, description=description)


def task_progress() -> Progress:
    return Combined(ArtifactProgress(), LineProgress())
