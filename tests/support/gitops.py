"""Real GitOps repositories for tests: `local.gitops_repo`, plus working clones to commit in."""

from __future__ import annotations

from pathlib import Path

from local.gitops_repo import BASE_DEPLOYMENT, BASE_KUSTOMIZATION, OVERLAY_KUSTOMIZATION, create_gitops_repo, git  # noqa: F401


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
    """A bare GitOps repository at `tmp_path/gitops.git` (see `create_gitops_repo`); its path."""
    return create_gitops_repo(tmp_path / "gitops.git", overlays)
