"""Promotion steps as Prefect tasks: each checks or changes one thing, in the registry, the GitOps repo or the calendar."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from prefect import task

from blocks.odoo_environment import OdooEnvironment
from formwork.errors import InputError
from formwork.release.calendar_file import load_calendar
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.k8s_rollout import wait_for_deployment
from formwork.release.migration import ODOO_BIN, ModuleChange, module_changes
from formwork.release.reference import ImageRef
from formwork.release.registry import Registry
from formwork.release.rollout import Rollout, wait_for
from formwork.release.window import wait_until_open
from tasks.progress import task_progress
from tasks.retries import retry_unless_refused

IMAGE = "odoo"  # the image name the overlays' `images:` entries use


def repo(name: str, env: OdooEnvironment) -> GitOpsRepo:
    if not (env.gitops_repo and env.gitops_overlay and env.image_repository):
        raise InputError(
            f"environment '{name}' is not set up for releases: it needs --gitops-repo, --gitops-overlay and --image-repository"
        )
    return _clone_of(env.gitops_repo)


@functools.cache
def _clone_of(url: str) -> GitOpsRepo:
    """One private clone per repository: every operation fetches and resets it first, and one lock serialises them."""
    return GitOpsRepo(url)


@task(name="read what the environment runs")
def running(name: str, env: OdooEnvironment) -> str | None:
    return repo(name, env).current(env.gitops_overlay, IMAGE)


@task(name="read what to roll back to")
def rollback_pins(name: str, env: OdooEnvironment) -> tuple[str | None, str]:
    """The digest the overlay pins now, and the one it pinned before (what a rollback goes back to)."""
    gitops = repo(name, env)
    current, previous = gitops.current(env.gitops_overlay, IMAGE), gitops.previous(env.gitops_overlay, IMAGE)
    if not previous:
        raise InputError(f"{name}: no earlier digest to roll back to")
    return current, previous


@task(name="check the release passed upstream")
def check_upstream(image: ImageRef, name: str, env: OdooEnvironment, upstream_name: str, upstream: OdooEnvironment) -> None:
    """The same digest, not a rebuild: production takes only what staging runs."""
    there = repo(upstream_name, upstream).current(upstream.gitops_overlay, IMAGE)
    if there != image.digest:
        raise InputError(
            f"promote to {name}: {image.digest} is not what {upstream_name} runs ({there or 'nothing pinned'}); "
            f"promote it to {upstream_name} first"
        )


@task(name="check the release window")
def check_window(name: str, env: OdooEnvironment, emergency_reason: str | None, wait: bool = False) -> tuple[str, str | None]:
    """What the report says of the release window, and the freeze an emergency override is asked for (None when open).
    A freeze refuses the release, naming the next open slot, unless the caller gives a reason to override it (which
    stands only with two approvers besides the requester: the flow collects them, formwork.release.policy decides), or
    asked to wait for that slot (see formwork.release.window)."""
    if not env.release_calendar:
        return "no release calendar: always open", None
    calendar = load_calendar(env.release_calendar)
    now = datetime.now(UTC)
    freeze = calendar.freeze_at(now)
    if freeze is None:
        return f"open ({calendar.company})", None
    opens = calendar.next_open(now).astimezone(calendar.timezone)
    if wait and not emergency_reason:
        print(f"{name}: frozen for {freeze.name}; waiting for the next open slot, {opens:%a %d %b %Y %H:%M:%S %Z}")
        waited = wait_until_open(calendar, task_progress())
        return f"open ({calendar.company}) after waiting {waited.total_seconds():.0f} s for {freeze.name} to end", None
    if not emergency_reason:
        raise InputError(
            f"promote to {name}: frozen for {freeze.name} until {freeze.ends:%a %d %b %H:%M %Z}; "
            f"next open slot {opens:%a %d %b %Y %H:%M %Z} (wait for it with --wait-for-window, "
            "or an emergency override: a reason and a second approver)"
        )
    return f"EMERGENCY OVERRIDE of {freeze.name} asked for: {emergency_reason}", freeze.name


@task(name="copy the image by digest", retries=2, retry_delay_seconds=5, retry_condition_fn=retry_unless_refused)
def copy_image(image: ImageRef, name: str, env: OdooEnvironment) -> str:
    target = ImageRef.parse(env.image_repository, option=f"{name} image repository")
    if target.registry != image.registry:
        raise InputError(
            f"promote to {name}: {image.registry} and {target.registry} are different registries (copy across registries is not supported yet)"
        )
    with Registry(image.registry) as registry:
        registry.copy(image.digest, image.repository, target.repository, tag=name)
    return f"{target.registry}/{target.repository}"


@task(name="pin the digest in the GitOps overlay", retries=2, retry_delay_seconds=5, retry_condition_fn=retry_unless_refused)
def pin(
    name: str, env: OdooEnvironment, digest: str, new_name: str, message: str, trailers: dict[str, str], over: str | None
) -> str:
    """`over`: the digest the change was approved over; anything else pinned now refuses (nothing changes)."""
    return repo(name, env).pin(
        env.gitops_overlay, digest, new_name=new_name, image=IMAGE, message=message, trailers=trailers, over=over
    )


@task(name="wait for the rollout")
def wait_for_rollout(name: str, env: OdooEnvironment, digest: str, timeout: float) -> Rollout:
    """The Kubernetes Deployment when the environment names a namespace, else Odoo's health endpoints."""
    interval = min(2.0, max(timeout / 10, 0.2))
    if env.k8s_namespace:
        return wait_for_deployment(kubernetes_credentials(name), env.k8s_namespace, digest, timeout, interval)
    if not env.base_url:
        return Rollout(True, "no base URL: the rollout was not observed", 0.0)
    return wait_for(env.base_url, digest, timeout, interval)


def kubernetes_credentials(name: str):
    """The prefect-kubernetes block `<name>-kubernetes` (a kubeconfig); without one, in-cluster or the default kubeconfig."""
    from prefect_kubernetes.credentials import KubernetesCredentials

    try:
        return KubernetesCredentials.load(kubernetes_block_name(name))
    except ValueError:
        return KubernetesCredentials()


def kubernetes_block_name(name: str) -> str:
    return f"{name}-kubernetes"


@task(name="compare module versions with what runs")
def schema_changes(image: ImageRef, name: str, env: OdooEnvironment, previous: str | None) -> tuple[list[ModuleChange], bool]:
    """Modules whose version differs from the running image's (Odoo migrates their tables when it updates them), and
    whether the new image is a Formwork-built Odoo that can run that upgrade itself."""
    running_repo = ImageRef.parse(env.image_repository, option=f"{name} image repository").repository
    with Registry(image.registry) as registry:
        new = registry.labels(image.repository, image.digest)
        if not previous:
            return [], ODOO_BIN in new
        return module_changes(new, registry.labels(running_repo, previous)), ODOO_BIN in new
