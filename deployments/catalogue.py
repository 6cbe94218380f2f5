"""Every Formwork flow as a deployment: one per flow, named after it, so `formwork trigger refresh` finds it.

Per-environment work (nightly refreshes, backups, drills) are schedules of these
deployments carrying their own parameters, so the UI shows one refresh deployment
with one schedule per environment rather than a deployment per pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class FlowEntry:
    name: str  # the flow's name, and its deployment's
    entrypoint: str  # path:function, relative to the project root
    description: str


FLOWS = (
    FlowEntry(
        "refresh",
        "flows/refresh.py:refresh",
        "Replace a lower environment with a masked, rewired copy; waits for an approver (only its nightly schedule carries a standing approval).",
    ),
    FlowEntry(
        "backup", "flows/backup.py:backup", "Back up an environment's database and filestore, then apply its retention policy."
    ),
    FlowEntry(
        "dr_drill", "flows/dr_drill.py:dr_drill", "Restore a backup into scratch, check it, measure RPO and RTO against the tier."
    ),
    FlowEntry(
        "posture",
        "flows/posture.py:posture",
        "Is every environment inside its recovery and release objectives? Report, charts, and a webhook on a change.",
    ),
    FlowEntry("pitr_watch", "flows/pitr_watch.py:pitr_watch", "Alert when the WAL archive is older than the RPO target."),
    FlowEntry("mask", "flows/mask.py:mask_environment", "Mask a non-production environment in place."),
    FlowEntry("rewire", "flows/rewire.py:rewire_environment", "Cut every live endpoint of a non-production environment."),
    FlowEntry("seed", "flows/seed.py:seed_database", "Build the demo construction company in a database."),
    FlowEntry("build", "flows/release.py:build_and_scan", "Addons check, build one image, push, scan."),
    FlowEntry("promote", "flows/promote.py:promote", "Promote one image digest to an environment through GitOps."),
    FlowEntry("release", "flows/release.py:release", "Build, scan and promote on merge: what CI triggers."),
    FlowEntry(
        "release_rollback",
        "flows/release_rollback.py:release_rollback",
        "Pin an environment back to the digest it ran before; production waits for an approver.",
    ),
    FlowEntry(
        "refresh_rollback", "flows/refresh_rollback.py:refresh_rollback", "Swap a refreshed environment's previous copy back in."
    ),
)


def load_flow(entry: FlowEntry):
    """The flow object, imported from the project as the worker will import it."""
    from prefect.flows import load_flow_from_entrypoint

    path, function = entry.entrypoint.split(":")
    return load_flow_from_entrypoint(f"{PROJECT_ROOT / path}:{function}")
