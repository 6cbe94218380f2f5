"""Promote one image, by digest, to one environment through GitOps.

The runbook: the digest must be what the upstream environment runs; the release
window must be open (or overridden by two people with a reason, or waited for when
asked); production waits for a typed approval from someone other than whoever asked;
a release whose module versions changed (Odoo will migrate the schema) waits for a
separate database-change approval and takes a backup checkpoint first. When the new
image is a Formwork-built Odoo, the migration is a step of its own: in production it is
first rehearsed on the checkpoint restored on the scratch server (a failure refuses the
release; a migration that would not fit in the release window needs an approver who
accepts the overrun); then the new image's `odoo-bin -u` runs on the environment's
database, timed and recorded. Then the manifest is copied by digest into the
environment's repository, the overlay pinned to that digest in a commit that records
who, why and the migration, and the rollout watched (Odoo's health endpoints, or the
Kubernetes Deployment when the environment names a namespace). A migration that fails,
or a rollout that does not come up after one, puts the checkpoint back into the database
before the previous digest runs again, so the old code never runs on a half-migrated
database; a rollout that does not come up is rolled back by a second commit to the
previous digest. Who may approve what is formwork.release.policy.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial

from prefect import flow

from blocks import catalogue
from blocks.odoo_environment import OdooEnvironment
from flows.approval import approval_step, parameter_approvals
from flows.backup import backup
from flows.rehearsal import rehearse_migration
from flows.release_approval import approve_release
from flows.reports import publish
from formwork.approvers import recorded
from formwork.errors import InputError, OperationError, first_line
from formwork.release.calendar_file import load_calendar
from formwork.release.migration import ModuleChange, to_upgrade
from formwork.release.policy import ReleasePolicy
from formwork.release.reference import ImageRef
from formwork.release.report import PromotionReport
from formwork.release.rollout import Rollout
from tasks.concurrency import environment_lock
from tasks.migration import put_back_checkpoint, upgrade_database
from tasks.release import check_upstream, check_window, copy_image, pin, running, schema_changes, wait_for_rollout

ROLLOUT_TIMEOUT = 600.0


@flow(name="promote", flow_run_name="promote-to-{to}", log_prints=True)
def promote(
    image: str,
    to: str,
    requested_by: str = "",
    approver: str | None = None,
    change_reference: str = "",
    emergency_reason: str | None = None,
    second_approver: str | None = None,
    database_approver: str | None = None,
    overrun_approver: str | None = None,
    rollout_timeout: float = ROLLOUT_TIMEOUT,
    wait_for_window: bool = False,
):
    """`approver`, `second_approver`, `database_approver` and `overrun_approver` approve up front on a shell only (the CLI's --yes);
    a deployed run refuses them and waits for each approval in its form (flows.approval.parameter_approvals)."""
    shell = parameter_approvals(
        approver=approver,
        second_approver=second_approver,
        database_approver=database_approver,
        overrun_approver=overrun_approver,
    )
    ref, env = _by_digest(image), catalogue.load(to)
    policy = ReleasePolicy(f"promote to {to}", env.production, requested_by)
    report = PromotionReport(
        str(ref), to, requested_by=requested_by, change_reference=change_reference, promoted_from=env.promotes_from or ""
    )
    window = partial(check_window, to, env, emergency_reason, wait_for_window)

    _check_passed_upstream(ref, to, env)
    report.window, overriding = window()
    report.previous = running(to, env)
    if approve_release(report, policy, approver, shell, _asking(report), overriding):
        report.window, overriding = window()  # an approval can take hours: the window must still be open
    if overriding:
        _override_freeze(report, policy, overriding, emergency_reason or "", second_approver, shell)
    changes, runs_odoo = schema_changes(ref, to, env, report.previous)
    report.schema_changes = [str(change) for change in changes]
    if report.schema_changes:
        _approve_database_change(report, policy, database_approver, shell)

    with environment_lock(to, "promote"):  # never beside a rollback, a refresh or a drill of it
        if report.schema_changes:
            report.checkpoint = backup(environment=to).id
            modules = to_upgrade(changes) if runs_odoo and not env.k8s_namespace else []
            if env.production and modules:
                _rehearse(report, policy, env, ref, modules, overrun_approver, shell)
            if not _migrate(report, env, ref, changes, modules, runs_odoo):
                _put_back(report, env)  # the previous digest is still pinned: nothing else to undo
                report.outcome = "FAILED in the migration; the database is as it was, the previous image still runs"
                publish(report)
                raise OperationError(report.summary())
        new_name = copy_image(ref, to, env)
        rolled = _pin_and_watch(report, env, ref.digest, new_name, rollout_timeout)
        if not rolled.done:
            if report.migrated:
                _put_back(report, env)  # first: the previous image must never run on the migrated database
            _roll_back(report, env, ref.digest, new_name, rolled.detail, rollout_timeout)
            publish(report)
            raise OperationError(report.summary() + f": {rolled.detail}")
    report.outcome = "done"
    return publish(report)


def _by_digest(image: str) -> ImageRef:
    ref = ImageRef.parse(image)
    if not ref.digest:
        raise InputError(f"IMAGE '{image}': promote by digest (registry/repo@sha256:...), never by tag")
    return ref


def _check_passed_upstream(ref: ImageRef, to: str, env: OdooEnvironment) -> None:
    if env.promotes_from:
        check_upstream(ref, to, env, env.promotes_from, catalogue.load(env.promotes_from))


def _asking(report: PromotionReport) -> str:
    return f"Promote `{report.image}` to **{report.to}** (now running `{report.previous or 'nothing'}`); {report.window}."


def _override_freeze(
    report: PromotionReport, policy: ReleasePolicy, freeze: str, reason: str, second: str | None, shell: str | None
) -> None:
    """An emergency override stands with a second approver, given up front or asked for in the form."""
    given_by = shell
    if second is None:
        second, given_by = (
            approval_step(
                report,
                f"Emergency override of **{freeze}** on **{report.to}** for `{report.image}`: {reason}. "
                f"A second approver, neither {report.approver} nor {report.requested_by or 'the requester'}.",
                key="emergency-override",
            ).approver,
            None,
        )
    second = policy.second_approver(second, report.approver)
    report.approvals.append("emergency override " + recorded(second, given_by))
    report.window = policy.override(freeze, report.approver, second, reason)


def _approve_database_change(report: PromotionReport, policy: ReleasePolicy, approver: str | None, shell: str | None) -> None:
    """Odoo will migrate the schema: a database-change approver, given up front or asked for in the form."""
    given_by = shell
    if approver is None:
        approver, given_by = (
            approval_step(
                report,
                f"Database change on **{report.to}**: {'; '.join(report.schema_changes)}. "
                "A backup checkpoint is taken before the release.",
                key="database-change",
            ).approver,
            None,
        )
    report.database_approver = policy.database_approver(approver)
    report.approvals.append("database change " + recorded(report.database_approver, given_by))


def _rehearse(
    report: PromotionReport,
    policy: ReleasePolicy,
    env: OdooEnvironment,
    ref: ImageRef,
    modules: list[str],
    approver: str | None,
    shell: str | None,
) -> None:
    """Production migrates only what migrated in a rehearsal, in the window that is left: a failed rehearsal refuses
    the release; one that does not fit the window needs a database-change approver who accepts the overrun, given
    up front or asked for in the form."""
    rehearsal = rehearse_migration(report.to, str(ref), modules, report.checkpoint)
    report.rehearsal = rehearsal.summary()
    if not rehearsal.ok:
        report.migration_log = rehearsal.log
        report.outcome = "refused: the migration failed in its rehearsal; nothing changed"
        publish(report)
        raise OperationError(report.summary())
    closes = load_calendar(env.release_calendar).open_until(datetime.now(UTC)) if env.release_calendar else None
    left = (closes - datetime.now(UTC)).total_seconds() if closes else None
    if left is None or rehearsal.needed <= left:
        report.rehearsal += f"; fits the release window ({'no freeze ahead' if left is None else f'{left:.0f} s left'})"
        return
    overrun = (
        f"needs {rehearsal.needed:.0f} s (upgrade and a restore, should it fail) and the release window closes in "
        f"{max(left, 0):.0f} s, at {closes:%a %d %b %H:%M %Z}"
    )
    report.rehearsal += f"; {overrun}"
    given_by = shell
    if approver is None:
        approver, given_by = (
            approval_step(
                report,
                f"The migration of **{report.to}** to `{report.image}` {overrun}. Approve to run it anyway; reject to "
                "release in a later window.",
                key="migration-overrun",
            ).approver,
            None,
        )
    report.approvals.append("migration past the window " + recorded(policy.database_approver(approver), given_by))


def _migrate(
    report: PromotionReport,
    env: OdooEnvironment,
    ref: ImageRef,
    changes: list[ModuleChange],
    modules: list[str],
    runs_odoo: bool,
) -> bool:
    """The module upgrade, run by the new image on the environment's database before anything is pinned; False when
    it failed. Formwork runs it only where it runs Odoo itself (a Formwork-built image, an environment without a
    Kubernetes namespace); elsewhere the report says Odoo migrates when the new image starts."""
    if env.k8s_namespace or not runs_odoo:
        where = "a Kubernetes environment" if env.k8s_namespace else "an image that is not a Formwork-built Odoo image"
        report.migration = f"not run by Formwork ({where}): Odoo migrates the database when the new image starts"
        return True
    if not modules:
        report.migration = "nothing to upgrade: no installed module changed its version"
        return True
    done, log = upgrade_database(env.connection(), env.db_name, str(ref), modules)
    versions = "; ".join(str(change) for change in changes if change.module in modules)
    report.migration = f"odoo-bin -u {','.join(modules)} ({versions}) {'done' if done.ok else 'FAILED'} in {done.seconds:.1f} s"
    report.migration_log = f"{log}:\n{done.excerpt}"
    report.migrated = done.ok
    return done.ok


def _put_back(report: PromotionReport, env: OdooEnvironment) -> None:
    """The data half of the rollback: the checkpoint taken before the migration replaces the migrated database."""
    try:
        report.data_restored = put_back_checkpoint(report.to, env, report.checkpoint, uuid.uuid4().hex[:8])
    except Exception as exc:
        report.data_restored = f"FAILED: {first_line(exc)}"
        report.outcome = f"FAILED, and checkpoint {report.checkpoint} could not be put back: restore it before anything else"
        publish(report)
        raise


def _pin_and_watch(report: PromotionReport, env: OdooEnvironment, digest: str, new_name: str, timeout: float) -> Rollout:
    """The one change: the overlay pinned to the digest in a commit carrying the report's trailers; then its rollout."""
    report.commits.append(
        pin(report.to, env, digest, new_name, f"promote {report.to} to {digest}", report.trailers(), over=report.previous)
    )
    rolled = wait_for_rollout(report.to, env, digest, timeout)
    report.rollout = f"{rolled.detail} ({rolled.seconds:.0f} s)"
    return rolled


def _roll_back(report: PromotionReport, env: OdooEnvironment, digest: str, new_name: str, reason: str, timeout: float) -> None:
    """A digest that did not come up is replaced by the previous one, in a second commit."""
    if not report.previous:
        report.outcome = "FAILED, nothing to roll back to"
        return
    report.commits.append(
        pin(
            report.to,
            env,
            report.previous,
            new_name,
            f"roll back {report.to} to {report.previous}",
            report.rollback_trailers(digest, reason),
            over=digest,
        )
    )
    back = wait_for_rollout(report.to, env, report.previous, timeout)
    report.outcome = f"FAILED, rolled back to {report.previous}" + (
        "" if back.done else f" (which is not up either: {back.detail})"
    )
