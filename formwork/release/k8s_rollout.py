"""Has the Kubernetes Deployment rolled out the promoted digest? Ask the cluster.

When an environment names a namespace, Argo CD or Flux applies the overlay there and
the Deployment `odoo` says how it went, the way `kubectl rollout status` reads it:

- its container `odoo` must name the promoted digest (until then the sync has not happened);
- `status.observedGeneration` must have caught up with `metadata.generation`;
- `updatedReplicas` = `spec.replicas`, no old replicas left, `availableReplicas` = updated;
- a `Progressing` condition with reason `ProgressDeadlineExceeded` is a failed rollout
  (crash-looping or unpullable pods): the promotion rolls back without waiting out its timeout.

The caller passes the credentials: anything whose async `get_client("apps")` gives an AppsV1 API (the task
passes prefect-kubernetes' `KubernetesCredentials` block or a kubeconfig/service-account stand-in); the
library itself needs no Prefect.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from formwork.release.rollout import Rollout

DEPLOYMENT = "odoo"  # the base's Deployment and container name (see local/gitops_repo.py)
FAILED = "ProgressDeadlineExceeded"


@dataclass(frozen=True)
class DeploymentState:
    generation: int
    observed_generation: int
    replicas: int  # desired
    current: int  # every replica, old and new
    updated: int
    available: int
    image: str
    failure: str | None  # the ProgressDeadlineExceeded message, if any

    @classmethod
    def of(cls, deployment: Any, container: str = DEPLOYMENT) -> DeploymentState:
        """From a kubernetes_asyncio V1Deployment."""
        spec, status, meta = deployment.spec, deployment.status, deployment.metadata
        containers = spec.template.spec.containers or []
        image = next((c.image for c in containers if c.name == container), containers[0].image if containers else "")
        failure = next(
            (c.message or c.reason for c in (status.conditions or []) if c.type == "Progressing" and c.reason == FAILED), None
        )
        desired = 1 if spec.replicas is None else spec.replicas
        return cls(
            meta.generation or 0,
            status.observed_generation or 0,
            desired,
            status.replicas or 0,
            status.updated_replicas or 0,
            status.available_replicas or 0,
            image or "",
            failure,
        )

    def judge(self, digest: str) -> tuple[str, str]:
        """("done" | "failed" | "waiting", what was seen)."""
        if not self.image.endswith("@" + digest):
            return "waiting", f"the Deployment runs {self.image or 'no image'}, not yet {digest[:19]}"
        if self.observed_generation < self.generation:
            return "waiting", f"generation {self.generation} not yet observed (at {self.observed_generation})"
        counts = f"{self.updated}/{self.replicas} updated, {self.available} available"
        if self.failure:
            return "failed", f"{FAILED}: {self.failure} ({counts})"
        if self.updated < self.replicas or self.current > self.updated or self.available < self.updated:
            return "waiting", counts
        return "done", f"{counts}, image {digest[:19]}"


async def _read(credentials: Any, namespace: str, name: str) -> DeploymentState:
    async with credentials.get_client("apps") as apps:
        return DeploymentState.of(await apps.read_namespaced_deployment(name, namespace))


def _read_now(credentials: Any, namespace: str, name: str) -> DeploymentState:
    """One read on its own thread and event loop: callable from a flow whose thread already runs a loop."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="formwork-k8s") as pool:
        return pool.submit(asyncio.run, _read(credentials, namespace, name)).result()


def _problem(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    if status:
        return f"the cluster answered {status} {getattr(exc, 'reason', '') or ''}".strip()
    return f"no answer from the cluster ({type(exc).__name__})"


def wait_for_deployment(
    credentials: Any, namespace: str, digest: str, timeout: float, interval: float = 2.0, name: str = DEPLOYMENT
) -> Rollout:
    """Poll the Deployment until it runs `digest` everywhere, fails its progress deadline, or `timeout` passes."""
    started = time.monotonic()
    where = f"deployment/{name} in {namespace}"
    seen = "nothing yet"
    while True:
        try:
            verdict, seen = _read_now(credentials, namespace, name).judge(digest)
        except Exception as exc:  # noqa: BLE001 - any API or network error is reported, and polled again
            verdict, seen = "waiting", _problem(exc)
        if verdict == "done":
            return Rollout(True, f"{where}: {seen}", time.monotonic() - started)
        if verdict == "failed":
            return Rollout(False, f"{where}: {seen}", time.monotonic() - started)
        if time.monotonic() - started >= timeout:
            return Rollout(False, f"{where}: not rolled out after {timeout:.0f} s: {seen}", time.monotonic() - started)
        time.sleep(interval)
