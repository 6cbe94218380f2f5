"""Work pools: a `process` pool for the embedded default, Kubernetes or Docker pools for production scale.

The base job templates live beside this file (`pools/*.json`); `formwork deploy` writes the runner image
into the container ones, pinned by digest, so every run of a deployment runs exactly the image that was
scanned. The templates take nothing from a run: anyone who may start a run may pass job variables, and a
command, an environment (`PREFECT__FLOW_RUN_ID`) or an image of their choosing would get past every flow
guard. So `variables` declares none (the server refuses them) and `job_configuration` has no
`{{ placeholder }}` (the worker ignores those that `POST /flow_runs/` stores unchecked); the command and
the environment are the worker's own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.utilities.templating import PlaceholderType, find_placeholders

from formwork.errors import InputError

TEMPLATES = Path(__file__).resolve().parent / "pools"
POOL_TYPES = ("process", "kubernetes", "docker")
CODE_DIR_IN_IMAGE = "/opt/formwork"  # where the runner image keeps this project
_DIGEST = re.compile(r"^[a-z0-9][a-z0-9.:_/-]*@sha256:[0-9a-f]{64}$")
_IMAGE_AT = {"docker": ("image",), "kubernetes": ("job_manifest", "spec", "template", "spec", "containers", 0, "image")}


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
            raise InputError(
                f"--image '{image}': a process pool runs this checkout, not an image (use --pool-type kubernetes or docker)"
            )
        return PoolPlan(name, pool_type)
    if not image:
        raise InputError(f"--pool-type {pool_type}: give the runner image by digest, --image REGISTRY/REPO@sha256:...")
    if not _DIGEST.match(image):
        raise InputError(f"--image '{image}': pin the image by digest (REGISTRY/REPO@sha256:<64 hex>), not by tag")
    return PoolPlan(name, pool_type, image)


def base_job_template(plan: PoolPlan) -> dict:
    path = TEMPLATES / f"{plan.type}.json"
    template = json.loads(path.read_text())
    _check_closed(template, path)
    if plan.image:
        *parents, last = _IMAGE_AT[plan.type]
        holder = template["job_configuration"]
        for key in parents:
            holder = holder[key]
        holder[last] = plan.image
    return template


def _check_closed(template: dict, path: Path) -> None:
    """Refuses a template a run could reach into (see the module's docstring)."""
    variables = template["variables"]
    if variables.get("properties") or variables.get("additionalProperties") is not False:
        raise InputError(
            f"{path}: 'variables' must declare no properties and \"additionalProperties\": false (a run must not set job variables)"
        )
    taken = sorted(
        p.full_match for p in find_placeholders(json.dumps(template["job_configuration"])) if p.type is PlaceholderType.STANDARD
    )
    if taken:
        raise InputError(f"{path}: job_configuration takes {', '.join(taken)} from a run; write the values themselves")


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
