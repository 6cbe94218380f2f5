"""Replace a lower environment with a fresh, masked, rewired copy of production.

The runbook: guards, clean up after killed runs, approval, clone beside the
target (closed to all but Formwork), rewire, mask, verify, swap. Production is
only read; until the swap the target is untouched, so a failed, rejected or
killed run leaves it as it was.
"""

from __future__ import annotations

import time

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from blocks import catalogue
from blocks.stores import open_folder
from flows.approval import approval_step, parameter_approvals
from flows.reports import publish
from formwork.approvers import check_approver, recorded
from formwork.errors import first_line
from formwork.refresh import dump_folder, swap
from formwork.refresh.report import RefreshReport
from tasks.concurrency import environment_lock
from tasks.masking import DEFAULT_RULES
from tasks.refresh import (
    build_indexes,
    check_guards,
    clean_up,
    clone_database,
    copy_filestore,
    describe_target,
    mask_copy,
    record_refresh,
    restore_backup,
    rewire_copy,
    swap_in,
    verify_counts,
)


class _Steps:
    """Runs each step, timing it; a failing step still leaves the report, saying where it stopped."""

    def __init__(self, report: RefreshReport):
        self.report = report

    def __call__(self, name: str, function, *args):
        started = time.monotonic()
        try:
            result = function(*args)
        except Exception as exc:
            self.report.steps.append((name, time.monotonic() - started))
            why = first_line(exc)
            after = "the next run completes the swap" if name == "swap" else "the target is untouched"
            self.report.outcome = f"FAILED at {name} ({why}); {after}"
            publish(self.report)
            raise
        self.report.steps.append((name, time.monotonic() - started))
        return result


@flow(name="refresh", flow_run_name="refresh-{source}-to-{target}", log_prints=True, persist_result=True)
def refresh(
    source: str,
    target: str,
    rules: str = DEFAULT_RULES,
    approver: str | None = None,
    change_reference: str = "",
    from_backup: str | None = None,
):
    """`approver` given approves up front, on a shell (the CLI's --yes) or as the nightly schedule's standing
    approval only (see flows.approval.parameter_approvals); otherwise the run pauses for an approver.
    `from_backup` (a backup id of the source, or "latest") restores a verified backup instead of reading production.
    `rules`, deployed: a file in the project's masking_rules/ (or one the target's configuration names)."""
    shell = parameter_approvals(standing=True, approver=approver)
    src, dst = catalogue.load(source), catalogue.load(target)
    report = RefreshReport(source, target)
    step = _Steps(report)
    report.notes += step("guards", check_guards, source, src, target, dst, rules, from_backup)
    with environment_lock(target, "clean up"):
        report.notes += step("clean up earlier runs", clean_up, target, dst)

    if approver is None:
        answer = approval_step(report, f"Refresh **{target}** from **{source}**: {describe_target(dst)}")
        approver, change_reference = answer.approver, answer.change_reference
    elif shell:
        report.notes.append(recorded(approver, shell))
    report.approver, report.change_reference = check_approver(approver, "", f"refresh {target}"), change_reference

    with environment_lock(target, "refresh"):  # never beside a drill or another refresh of the target
        run = (flow_run.get_id() or "local")[:8]
        side = swap.building_name(dst.db_name, run)
        side_url = open_folder(dst.filestore_url).beside(side[len(dst.db_name) :]).url()
        with dump_folder.holding(target, run) as scratch:  # the unmasked dump, until its indexes are built
            if from_backup:
                manifest = step("restore backup", restore_backup, source, src, dst, side, side_url, from_backup, scratch)
                expected, files = manifest.tables, len(manifest.attachments)
                report.notes.append(
                    f"restored backup {manifest.id} taken {manifest.taken_at:%Y-%m-%d %H:%M} UTC; production was not read"
                )
            else:
                expected = step("clone database", clone_database, src, dst, side, scratch)
                files = step("copy filestore", copy_filestore, src, side_url)
            rewired = step("rewire", rewire_copy, target, dst, side, run)  # crons off and mail cut before anything else
            masked = step("mask", mask_copy, dst, side, side_url, rules)
            step("record", record_refresh, dst, side, source, report.approver, report.change_reference, rules, masked, run)
            step("build indexes", build_indexes, dst, side, scratch)
        # Rewiring adds and removes rows of its own tables (parameters, the mail catcher); its check vouches for those.
        rewired_tables = {rule.table for rule, _ in rewired.applied if rule.kind != "update"}
        rows = step("verify", verify_counts, expected, dst, side, masked.removed, rewired_tables)
        step("swap", swap_in, dst, side, side_url)

    report.outcome, report.rows, report.files = "done", rows, files
    report.add_masking(masked)
    report.add_rewiring(rewired)
    publish(report)
    get_run_logger().info(report.summary())
    return report
