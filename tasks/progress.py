"""Progress of a long task as a Prefect progress artifact, plus the command-line line."""

from __future__ import annotations

import time

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from formwork.progress import Combined, LineProgress, Progress


class ArtifactProgress:
    """Updates one progress artifact per step, at most every `interval` seconds."""

    def __init__(self, interval: float = 2.0):
        self.interval = interval
        self.artifact = None
        self.total = self.done = 0
        self.last = 0.0

    def start(self, label: str, total: int) -> None:
        self.total, self.done, self.last = total, 0, time.monotonic()
        self.artifact = create_progress_artifact(progress=0.0, description=f"{label}: 0 of {total:,}")
        self.label = label

    def advance(self, done: int) -> None:
        self.done += done
        now = time.monotonic()
        if self.artifact and now - self.last >= self.interval:
            self.last = now
            self._update()

    def finish(self) -> None:
        if self.artifact:
            self.done = max(self.done, self.total)
            self._update()

    def _update(self) -> None:
        pct = 100.0 * self.done / self.total if self.total else 100.0
        update_progress_artifact(
            self.artifact, progress=min(pct, 100.0), description=f"{self.label}: {self.done:,} of {self.total:,}"
        )


def task_progress() -> Progress:
    return Combined(ArtifactProgress(), LineProgress())
