"""The figures each benchmark measures against its goal, gathered so one run ends with all of them in one table.

A benchmark records a figure where it prints it; `python -m bench` prints the table after the last one,
with the scale each was measured at (BENCH_SCALE while it ran).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    scale: int
    what: str
    value: float
    unit: str  # "x" for a ratio against the same run's baseline
    goal: float | None = None
    at_least: bool = False  # the goal is a floor (faster than), not a ceiling

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        met = self.value >= self.goal if self.at_least else self.value <= self.goal
        return "met" if met else "NOT met"

    def row(self, width: int) -> str:
        goal = "" if self.goal is None else f"{'≥' if self.at_least else '≤'} {self.goal:g}{self.unit}"
        return f"{self.scale:>6}  {self.what:{width}} {self.value:>9.2f}{self.unit:3} {goal:>10} {self.verdict:>8}"


FIGURES: list[Figure] = []


def record(what: str, value: float, unit: str = "x", goal: float | None = None, at_least: bool = False) -> None:
    FIGURES.append(Figure(int(os.environ.get("BENCH_SCALE", "100")), what, value, unit, goal, at_least))


def table() -> str:
    width = max([48, *(len(figure.what) for figure in FIGURES)])
    head = f"{'scale':>6}  {'figure':{width}} {'value':>12} {'goal':>10} {'':>8}"
    return "\n".join([head, *(figure.row(width) for figure in FIGURES)])
