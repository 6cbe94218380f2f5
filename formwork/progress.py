"""Progress of long steps, reported the same way wherever it is shown.

The library calls `Progress`; the command line shows a line on stderr and flows
add a Prefect progress artifact (see tasks/progress.py).
"""

from __future__ import annotations

import sys
import time
from typing import Protocol


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, done: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


class LineProgress:
    """One self-overwriting line on stderr (a plain line per step when stderr is not a terminal)."""

    def __init__(self, stream=None, interval: float = 0.5):
        self.stream = stream or sys.stderr
        self.interval = interval
        self.label, self.total, self.done, self.last = "", 0, 0, 0.0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.last = label, max(total, 0), 0, 0.0

    def advance(self, done: int) -> None:
        self.done += done
        now = time.monotonic()
        if self.stream.isatty() and now - self.last >= self.interval:
            self.last = now
            self.stream.write(f"\r{self._line()}")
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write(("\r" if self.stream.isatty() else "") + self._line() + "\n")
        self.stream.flush()

    def _line(self) -> str:
        if self.total:
            pct = min(100.0, 100.0 * self.done / self.total)
            return f"{self.label:28} {self.done:>10,}/{self.total:<10,} {pct:5.1f}%"
        return f"{self.label:28} {self.done:>10,}"


class Combined:
    """Report to several places at once."""

    def __init__(self, *targets: Progress):
        self.targets = targets

    def start(self, label: str, total: int) -> None:
        for t in self.targets:
            t.start(label, total)

    def advance(self, done: int) -> None:
        for t in self.targets:
            t.advance(done)

    def finish(self) -> None:
        for t in self.targets:
            t.finish()
