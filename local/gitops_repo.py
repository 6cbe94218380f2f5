"""A local GitOps repository: a bare git repo with a Kustomize base and one overlay per environment.

The demo's stack keeps one under FORMWORK_HOME; the tests make throwaway ones. Argo CD
or Flux would sync it; here the Odoo stand-in reads it (local.odoo_standin).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from formwork import commands

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- deployment.yaml
"""

BASE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo
  labels:
    app: odoo
spec:
  replicas: 1
  selector:
    matchLabels:
      app: odoo
  template:
    metadata:
      labels:
        app: odoo
    spec:
      containers:
      - name: odoo
        image: odoo
        ports:
        - containerPort: 8069
"""

OVERLAY_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
images:
- name: odoo
  newName: registry.example/odoo
  newTag: "17.0"
"""

OVERLAYS = ("dev", "test", "staging", "prod")


def git_env() -> dict[str, str]:
    """An environment where git depends on nothing of the user's: no global config, a fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "Formwork",
            "GIT_AUTHOR_EMAIL": "formwork@localhost",
            "GIT_COMMITTER_NAME": "Formwork",
            "GIT_COMMITTER_EMAIL": "formwork@localhost",
            "LC_ALL": "C",
        }
    )
    return env


def git(cwd: Path | str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in `cwd`; its stdout (OperationError with git's last line on failure)."""
    return commands.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        f"git {args[0]} in {cwd}",
        cwd=cwd,
        env={**git_env(), **(env or {})},
        timeout=60,
    ).stdout


def create_gitops_repo(bare: Path, overlays: tuple[str, ...] = OVERLAYS) -> str:
    """A bare repository at `bare` (a new folder) on branch `main`; its path.

    `base/` holds a Deployment `odoo` running image `odoo`; `overlays/<env>/kustomization.yaml`
    builds on it and sets the image to `registry.example/odoo:17.0` (by tag, not yet by digest).
    """
    bare = Path(bare)
    bare.mkdir(parents=True)
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main")
    files = {"base/kustomization.yaml": BASE_KUSTOMIZATION, "base/deployment.yaml": BASE_DEPLOYMENT}
    files.update({f"overlays/{env}/kustomization.yaml": OVERLAY_KUSTOMIZATION for env in overlays})
    with tempfile.TemporaryDirectory(prefix="formwork-gitops-seed-") as seed:
        git(seed, "init", "--quiet", "--initial-branch=main")
        for rel, content in files.items():
            (Path(seed) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(seed) / rel).write_text(content, encoding="utf-8")
        git(seed, "add", "--", *files)
        git(seed, "commit", "--quiet", "-m", "GitOps repository: base and overlays")
        git(seed, "push", "--quiet", str(bare), "main:refs/heads/main")
    return str(bare)


def pinned_digest(bare: str | Path, overlay: str, image: str = "odoo", branch: str = "main") -> str | None:
    """The digest `overlays/<overlay>` pins for `image` on `branch` right now, as a sync would read it."""
    pinned = pinned_image(bare, overlay, image, branch)
    return pinned.partition("@")[2] if pinned else None


def pinned_image(bare: str | Path, overlay: str, image: str = "odoo", branch: str = "main") -> str | None:
    """`newName@digest` of what `overlays/<overlay>` pins for `image` on `branch` (None while it pins no digest)."""
    import yaml

    shown = commands.run(
        ["git", "-C", bare, "show", f"{branch}:overlays/{overlay}/kustomization.yaml"],
        f"git show in {bare}",
        env=git_env(),
        check=False,
        timeout=60,
    )
    if shown.returncode != 0:
        return None
    images = (yaml.safe_load(shown.stdout) or {}).get("images") or []
    entry = next((i for i in images if isinstance(i, dict) and i.get("name") == image), None)
    if not entry or not entry.get("digest"):
        return None
    return f"{entry.get('newName') or image}@{entry['digest']}"
