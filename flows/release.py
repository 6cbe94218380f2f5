"""Build one image per commit, scan it, and hand its digest to promotion.

The image is built and pushed once; from then on only its digest travels. A
module whose models or data changed without a version bump, or a critical or high
vulnerability without a valid waiver, stops the release before anything is promoted.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.promote import promote
from formwork.errors import OperationError
from formwork.release.reference import ImageRef
from tasks.build import addons_problems, build, git_commit, scan


@flow(name="build", flow_run_name="build-{image}")
def build_and_scan(
    context: str,
    image: str,
    tag: str | None = None,
    series: str = "17.0",
    base_commit: str | None = None,
    advisories: str | None = None,
    waivers: str | None = None,
) -> str:
    """Returns `registry/repo@sha256:...`; fails when the addons check or the scan policy says no."""
    folder = Path(context)
    target = ImageRef.parse(image, option="--image")
    problems = addons_problems(folder, base_commit)
    if problems:
        create_markdown_artifact(
            "# Addons check\n\n" + "\n".join(f"- {p}" for p in problems), key="addons-check", description="addons check FAILED"
        )
        raise OperationError("addons check failed: " + "; ".join(problems[:3]))
    tag = tag or (git_commit(folder) or "build")[:12]
    repository = f"{target.registry}/{target.repository}"
    digest = build(folder, repository, tag, series)
    built = f"{repository}@{digest}"
    verdict, components = scan(built, advisories, waivers)
    create_markdown_artifact(
        f"SBOM: {components} components.\n\n" + verdict.markdown(f"Scan of {built}"),
        key="image-scan",
        description=f"{len(verdict.blocked)} blocking findings",
    )
    if not verdict.passed:
        raise OperationError(
            f"{built}: blocked by {len(verdict.blocked)} critical/high findings without a valid waiver: "
            + ", ".join(f"{f.id} in {f.package} {f.version}" for f in verdict.blocked[:3])
        )
    print(built)
    return built


@flow(name="release", flow_run_name="release-{image}")
def release(
    context: str,
    image: str,
    to: str,
    requested_by: str = "",
    tag: str | None = None,
    base_commit: str | None = None,
    advisories: str | None = None,
    waivers: str | None = None,
) -> str:
    """Build and scan, then promote the digest to the first environment (`to`, usually dev)."""
    built = build_and_scan(context, image, tag, base_commit=base_commit, advisories=advisories, waivers=waivers)
    promote(image=built, to=to, requested_by=requested_by)
    return built
