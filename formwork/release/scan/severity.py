"""Severities: the scanners' words mapped onto ours, and an OSV advisory's severity from its CVSS vector."""

from __future__ import annotations

from typing import Any

from cvss import CVSS3, CVSSError

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN")
BLOCKING = frozenset({"CRITICAL", "HIGH"})


def normalize_severity(value: Any) -> str:
    text = str(value or "").strip().upper()
    text = {"MODERATE": "MEDIUM", "IMPORTANT": "HIGH", "NEGLIGIBLE": "LOW", "NONE": "LOW"}.get(text, text)
    return text if text in SEVERITIES else "UNKNOWN"


def rating(score: float) -> str:
    if score >= 9.0:
        return "CRITICAL"
    if score >= 7.0:
        return "HIGH"
    if score >= 4.0:
        return "MEDIUM"
    return "LOW"


def cvss3_base_score(vector: str) -> float | None:
    """Base score of a `CVSS:3.x/AV:../AC:../PR:../UI:../S:../C:../I:../A:..` vector; None if malformed."""
    try:
        return float(CVSS3(vector.strip()).base_score)
    except CVSSError:
        return None


def advisory_severity(advisory: dict, affected: dict) -> str:
    for holder in (advisory.get("database_specific"), affected.get("ecosystem_specific"), affected.get("database_specific")):
        if isinstance(holder, dict) and holder.get("severity"):
            found = normalize_severity(holder["severity"])
            if found != "UNKNOWN":
                return found
    best = None
    for entry in list(affected.get("severity") or []) + list(advisory.get("severity") or []):
        score_text = str(entry.get("score", "")) if isinstance(entry, dict) else ""
        try:
            score = float(score_text)
        except ValueError:
            score = cvss3_base_score(score_text) if score_text.startswith("CVSS:3") else None
        if score is not None:
            best = score if best is None else max(best, score)
    return rating(best) if best is not None else "UNKNOWN"
