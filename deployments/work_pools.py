"""Work pools: a `process` pool for the embedded default, Kubernetes or Docker pools for production scale.

The container pools' base job templates live beside this file (`pools/*.json`: Prefect's defaults plus
namespace, service account, resources and pull policy); `formwork deploy` writes the runner image into
them, pinned by digest, so every run of a deployment runs exactly the image that was scanned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from formwork.errors import InputError

TEMPLATES = Path(__file__).resolve().parent / "pools"
POOL_TYPES = ("process", "kubernetes", "docker")
CODE_DIR_IN_IMAGE = "/opt/formwork"  # where the runner image keeps this project
_DIGEST = re.compile(r"^[a-z0-9][a-z0-9.:_/-]*@sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class PoolPlan:
    name: str
    type: str
    image: str | None = None  # container pools only, by digest

    @property
    def pull_steps(self) -> list[dict]:
        """Where the worker finds the flows: this checkout for a process pool, the image's copy otherwise."""
        from deployments.catalogue import PROJECT_ROOT

        directory = str(PROJECT_ROOT) if self.type == "process" else CODE_DIR_IN_IMAGE
        return [{"prefect.deployments.steps.set_working_directory": {"directory": directory}}]


def check_pool(name: str, pool_type: str, image: str | None) -> PoolPlan:
    if pool_type not in POOL_TYPES:
        raise InputError(f"--pool-type '{pool_type}': choose one of {', '.join(POOL_TYPES)}")
    if pool_type == "process":
        if image:
            raise InputError(f"--image '{image}': a process pool runs this checkout, not an image (use --pool-type kubernetes or docker)")
        return PoolPlan(name, pool_type)
    if not image:
        raise InputError(f"--pool-type {pool_type}: give the runner image by digest, --image REGISTRY/REPO@sha256:...")
    if not _DIGEST.match(image):
        raise InputError(f"--image '{image}': pin the image by digest (REGISTRY/REPO@sha256:<64 hex>), not by tag")
    return PoolPlan(name, pool_type, image)


def base_job_template(plan: PoolPlan) -> dict:
    if plan.type == "process":
        from prefect.workers.process import ProcessWorker

        return ProcessWorker.get_default_base_job_template()
    template = json.loads((TEMPLATES / f"{plan.type}.json").read_text())
    template["variables"]["properties"]["image"]["default"] = plan.image
    return template


def ensure_pool(client, plan: PoolPlan) -> str:
    """Create the pool, or bring its template up to date; says which."""
    template = base_job_template(plan)
    try:
        existing = client.read_work_pool(plan.name)
    except ObjectNotFound:
        try:
            client.create_work_pool(WorkPoolCreate(name=plan.name, type=plan.type, base_job_template=template))
            return "created"
        except ObjectAlreadyExists:  # a worker starting at this moment created it
            existing = client.read_work_pool(plan.name)
    if existing.type != plan.type:
        raise InputError(f"--pool '{plan.name}': already a {existing.type} pool; choose another name for a {plan.type} pool")
    if existing.base_job_template == template:
        return "unchanged"
    client.update_work_pool(plan.name, WorkPoolUpdate(base_job_template=template))
    return "updated"
