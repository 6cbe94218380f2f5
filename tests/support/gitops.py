"""Real GitOps repositories for tests: a bare repo with a Kustomize base and one overlay per environment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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


def git_env() -> dict[str, str]:
    """An environment where git depends on nothing of the user's: no global config, a fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Test Seeder", "GIT_AUTHOR_EMAIL": "seeder@example.test",
        "GIT_COMMITTER_NAME": "Test Seeder", "GIT_COMMITTER_EMAIL": "seeder@example.test",
        "LC_ALL": "C",
    })
    return env


def git(cwd: Path | str, *args: str) -> str:
    """Run git in `cwd`; its stdout (raises CalledProcessError with stderr on failure)."""
    done = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=git_env(),
                          capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return done.stdout


def clone(bare: str | Path, dest: Path, branch: str = "main") -> Path:
    """A working clone of `bare` at `dest`, on `branch`."""
    git(dest.parent, "clone", "--quiet", "--branch", branch, str(bare), str(dest))
    return dest


def commit_files(work: Path, files: dict[str, str], message: str, push: bool = True) -> str:
    """Write `files` (path -> content) in a clone, commit them, optionally push; the commit sha."""
    for rel, content in files.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    git(work, "add", "--", *files)
    git(work, "commit", "--quiet", "-m", message)
    if push:
        git(work, "push", "--quiet", "origin", "HEAD")
    return git(work, "rev-parse", "HEAD").strip()


def make_gitops_repo(tmp_path: Path, overlays: tuple[str, ...] = ("dev", "test", "staging", "prod")) -> str:
    """A bare GitOps repository under `tmp_path` with a `main` branch; its path.

    `base/` holds a Deployment `odoo` running image `odoo`; `overlays/<env>/kustomization.yaml`
    builds on it and sets the image to `registry.example/odoo:17.0` (by tag, not yet by digest).
    """
    bare = tmp_path / "gitops.git"
    seed = tmp_path / "gitops-seed"
    bare.mkdir(parents=True)
    seed.mkdir(parents=True)
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main")
    git(seed, "init", "--quiet", "--initial-branch=main")
    files = {"base/kustomization.yaml": BASE_KUSTOMIZATION, "base/deployment.yaml": BASE_DEPLOYMENT}
    files.update({f"overlays/{env}/kustomization.yaml": OVERLAY_KUSTOMIZATION for env in overlays})
    commit_files(seed, files, "GitOps repository: base and overlays", push=False)
    git(seed, "push", "--quiet", str(bare), "main:refs/heads/main")
    return str(bare)
