"""`formwork release`: promote an image by digest through GitOps, see what runs where, roll back."""

from __future__ import annotations

import getpass
import os

import click

from formwork.errors import InputError


def requester() -> str:
    """Who asks: CI sets FORMWORK_REQUESTED_BY (e.g. the merging author); a shell is its user."""
    return os.environ.get("FORMWORK_REQUESTED_BY") or getpass.getuser()


@click.group()
def release() -> None:
    """Promote one image by digest through the environments' GitOps overlays."""


@release.command("build")
@click.option(
    "--context",
    required=True,
    type=click.Path(file_okay=False, exists=True),
    help="Build context: the addons checkout with its Dockerfile.",
)
@click.option("--image", required=True, help="Where to push: REGISTRY/REPO (the tag is the commit unless --tag).")
@click.option("--tag", help="Tag to push under (default: the context's short git commit).")
@click.option("--base", "base_commit", help="Commit of the previous release: modules changed since then must bump their version.")
@click.option(
    "--advisories",
    type=click.Path(file_okay=False),
    help="Offline OSV advisory folder (used when neither Trivy nor Grype is installed).",
)
@click.option("--waivers", type=click.Path(dir_okay=False), help="Waivers YAML: id, owner, reason, expiry.")
def build(context, image, tag, base_commit, advisories, waivers) -> None:
    """Build the image once, push it, scan it; print IMAGE@DIGEST."""
    from flows.release import build_and_scan

    click.echo(
        build_and_scan(context=context, image=image, tag=tag, base_commit=base_commit, advisories=advisories, waivers=waivers)
    )


@release.command("promote")
@click.argument("image")
@click.option("--to", "to", required=True, help="Target environment.")
@click.option(
    "--yes",
    is_flag=True,
    help="Approve now (needs --approver, who must not be you); without it production waits for an approver in Prefect.",
)
@click.option("--approver", help="Who approves (with --yes).")
@click.option("--change", "change_reference", default="", help="Change reference recorded in the GitOps commit.")
@click.option("--emergency", "emergency_reason", help="Override a release freeze, with this reason (needs --second-approver).")
@click.option("--second-approver", help="The second person an emergency override needs.")
@click.option(
    "--db-approver",
    "database_approver",
    help="Approve a schema-changing release's database change now (else it waits in Prefect).",
)
@click.option(
    "--overrun-approver",
    help="Approve now a production migration whose rehearsal does not fit in the release window (else it waits in Prefect).",
)
@click.option("--wait-for-window", is_flag=True, help="In a release freeze, wait for the next open slot instead of refusing.")
@click.option(
    "--rollout-timeout",
    type=float,
    default=600.0,
    show_default=True,
    help="Seconds to wait for the environment to come up on the new image.",
)
def promote(
    image,
    to,
    yes,
    approver,
    change_reference,
    emergency_reason,
    second_approver,
    database_approver,
    overrun_approver,
    wait_for_window,
    rollout_timeout,
) -> None:
    """Promote IMAGE (registry/repo@sha256:...) to an environment."""
    if yes and not approver:
        raise InputError("--yes: name the approver with --approver NAME")
    from flows.promote import promote as promote_flow

    report = promote_flow(
        image=image,
        to=to,
        requested_by=requester(),
        approver=approver if yes else None,
        change_reference=change_reference,
        emergency_reason=emergency_reason,
        second_approver=second_approver,
        database_approver=database_approver,
        overrun_approver=overrun_approver,
        rollout_timeout=rollout_timeout,
        wait_for_window=wait_for_window,
    )
    click.echo(report.summary())
    for label, said in (("rehearsal", report.rehearsal), ("migration", report.migration)):
        if said:
            click.echo(f"  {label}: {said}")


@release.command("status")
def status() -> None:
    """What every release-managed environment runs, and who approved it."""
    from blocks import catalogue
    from tasks.release import IMAGE, repo

    click.echo(f"{'ENVIRONMENT':14} {'DIGEST':20} {'APPROVED BY':16} CHANGE")
    for name, env in sorted(catalogue.all_environments().items()):
        if not (env.gitops_repo and env.gitops_overlay):
            continue
        history = repo(name, env).history(env.gitops_overlay, IMAGE, limit=1)
        pin = history[0] if history else None
        digest = (pin.digest or "-")[:19] if pin else "-"
        click.echo(
            f"{name:14} {digest:20} {(pin.trailers.get('Approved-by', '-') if pin else '-'):16} {pin.trailers.get('Change', '-') if pin else '-'}"
        )


@release.command("rollback")
@click.argument("environment")
@click.option(
    "--yes",
    is_flag=True,
    help="Approve now (needs --approver, who must not be you); without it production waits for an approver in Prefect.",
)
@click.option("--approver", help="Who approves (with --yes).")
@click.option("--change", "change_reference", default="", help="Change reference recorded in the rollback commit.")
def rollback(environment: str, yes: bool, approver: str | None, change_reference: str) -> None:
    """Pin ENVIRONMENT's overlay back to the digest it ran before."""
    if yes and not approver:
        raise InputError("--yes: name the approver with --approver NAME")
    from blocks import catalogue
    from tasks.release import rollback_pins

    rollback_pins.fn(environment, catalogue.load(environment))  # nothing to roll back to: one line, before a run starts
    from flows.release_rollback import release_rollback

    report = release_rollback(
        environment=environment, requested_by=requester(), approver=approver if yes else None, change_reference=change_reference
    )
    click.echo(f"{environment}: pinned back to {report.previous} (commit {report.commit[:12]})")
