"""Checks on the Odoo addons of a release: manifests parse, and data changes bump the version.

Odoo only runs a module's data files and schema updates on upgrade when the
manifest version grew, so a changed model, view, security or data file without
a bumped `version` ships code whose database never follows. Everything is read
from git commits (`git show`), never from the working tree, so the check sees
exactly what was committed.
"""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

from formwork import commands
from formwork.errors import first_line

MANIFEST = "__manifest__.py"
DATA_DIRECTORIES = frozenset({"models", "data", "security", "views"})
DATA_SUFFIXES = (".xml", ".csv")


def _git(repo: Path, *args: str) -> str:
    return commands.run(["git", "-C", repo, *args], f"git {' '.join(args[:2])} in {repo}", timeout=600).stdout


def _manifest_paths(repo: Path, commit: str) -> list[str]:
    names = _git(repo, "ls-tree", "-r", "--name-only", "-z", commit).split("\0")
    return sorted(name for name in names if PurePosixPath(name).name == MANIFEST and "/" in name)


def parse_manifest(text: str, path: str) -> tuple[dict | None, str | None]:
    """(manifest, None) or (None, one-line problem naming `path`)."""
    try:
        manifest = ast.literal_eval(text)
    except SyntaxError as exc:
        return None, f"{path}:{exc.lineno or 1}: does not parse: {exc.msg}"
    except (ValueError, TypeError, MemoryError, RecursionError) as exc:
        return None, f"{path}: not a literal dictionary ({type(exc).__name__}: {first_line(exc, '')})"
    if not isinstance(manifest, dict):
        return None, f"{path}: must be a dictionary, got {type(manifest).__name__}"
    version = manifest.get("version")
    if version is None:
        return None, f"{path}: no 'version'"
    if not isinstance(version, str) or version_key(version) is None:
        return None, f"{path}: version {version!r} is not dotted numbers (e.g. '17.0.1.0.0')"
    return manifest, None


def version_key(version: str) -> tuple[int, ...] | None:
    parts = version.strip().split(".")
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


def _manifests(repo: Path, commit: str) -> tuple[dict[str, dict], list[str]]:
    """{module directory: manifest} at `commit`, and the problems of those that do not parse."""
    manifests, problems = {}, []
    for path in _manifest_paths(repo, commit):
        manifest, problem = parse_manifest(_git(repo, "show", f"{commit}:{path}"), path)
        if problem:
            problems.append(problem)
        else:
            manifests[str(PurePosixPath(path).parent)] = manifest
    return manifests, problems


def module_directories(repo: Path, commit: str) -> dict[str, str]:
    """{module name: its directory in the repository} at `commit` (modules whose manifest parses)."""
    manifests, _ = _manifests(Path(repo), commit)
    return {PurePosixPath(directory).name: directory for directory in manifests}


def module_versions(repo: Path, commit: str) -> dict[str, str]:
    """{module name: manifest version} at `commit` (modules whose manifest does not parse are left out)."""
    manifests, _ = _manifests(Path(repo), commit)
    return {PurePosixPath(directory).name: manifest["version"] for directory, manifest in manifests.items()}


def _is_data_file(relative: PurePosixPath) -> bool:
    return (len(relative.parts) > 1 and relative.parts[0] in DATA_DIRECTORIES) or relative.suffix in DATA_SUFFIXES


def _owner(path: str, directories: list[str]) -> str | None:
    """The deepest module directory holding `path`."""
    best = None
    for directory in directories:
        if path.startswith(directory + "/") and (best is None or len(directory) > len(best)):
            best = directory
    return best


def check_addons(repo: Path, base: str | None, head: str = "HEAD") -> list[str]:
    """Problems, one line each: manifests at `head` that do not parse or lack a version; with `base`,
    modules whose models/data/security/views (or .xml/.csv) files changed since `base` without a version bump."""
    repo = Path(repo)
    head_manifests, problems = _manifests(repo, head)
    if base is None:
        return problems
    base_manifests, _ = _manifests(repo, base)
    changed = [name for name in _git(repo, "diff", "--name-only", "--no-renames", "-z", base, head).split("\0") if name]
    directories = sorted(head_manifests)
    touched: dict[str, list[str]] = {}
    for path in changed:
        directory = _owner(path, directories)
        if directory is None or not _is_data_file(PurePosixPath(path).relative_to(directory)):
            continue
        touched.setdefault(directory, []).append(path)
    for directory, files in sorted(touched.items()):
        before = base_manifests.get(directory)
        if before is None:
            continue  # a new module (or one that did not parse before): nothing to bump from
        old, new = before["version"], head_manifests[directory]["version"]
        if version_key(new) <= version_key(old):
            shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
            verb = "went back" if version_key(new) < version_key(old) else "stayed"
            problems.append(
                f"{directory}: {shown} changed but the version {verb} at {new}"
                + (f" (was {old})" if new != old else "")
                + f"; bump 'version' in {directory}/{MANIFEST}",
            )
    return problems
