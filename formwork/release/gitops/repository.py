"""The GitOps side of a promotion: pin one image by digest in an environment's Kustomize overlay.

Argo CD or Flux syncs a Git repository; promoting means committing, to that
repository, the overlay's `kustomization.yaml` with the image pinned by digest:

    images:
    - name: odoo
      newName: 127.0.0.1:5000/odoo/prod
      digest: sha256:...

Each commit carries git trailers (`Approved-by: alice`, `Change: CHG-42`, ...) so
the repository's history is the audit trail; `Previous-digest` is always written
by `pin` itself from the file it replaces. Rolling back is pinning the previous
digest again: a new commit, never a rewrite of history.

Only the `git` command line is used, in a private clone with its own
configuration: no global or system git config, no hooks from the user, commits
signed by the identity given here, never by whoever runs the process. URLs may
carry credentials (`https://user:token@host/repo.git`); no message ever shows them,
and they never reach git's argv (`ps`) or the clone's configuration: git gets the
bare URL and asks a credential helper that reads them from its own environment.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from formwork.errors import InputError, OperationError
from formwork.release.gitops.credentials import last_line, redact, secrets_of, split_credentials
from formwork.release.gitops.git import Git
from formwork.release.gitops.kustomization import KUSTOMIZATION, digest_of, load_mapping, set_image
from formwork.release.gitops.trailers import PREVIOUS_DIGEST, check_trailers, parse_trailers, without_trailers

PUSH_RETRIES = 3
ANYTHING = object()  # pin's `over` when the caller pins over whatever is there

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# What git says when someone else updated the branch between our fetch and our push.
_RACE = re.compile(
    r"fetch first|non-fast-forward|stale info|failed to update ref|cannot lock ref|failed to lock|incorrect old value"
)


@dataclass(frozen=True)
class Pin:
    """One commit that changed an overlay's kustomization, and the digest it named (None: no digest)."""

    commit: str
    digest: str | None
    message: str  # the commit message without its trailer paragraph
    trailers: dict[str, str]


class GitOpsRepo:
    """A GitOps repository, worked on in a private clone that follows `origin/<branch>`.

    Every operation first fetches and hard-resets the clone to the remote branch,
    so what it reads is what Argo CD / Flux will sync and what it changes applies
    on top of everyone else's work. One instance is safe to share between threads
    (operations are serialized); two instances must not share a `workdir`.
    """

    def __init__(
        self,
        url: str,
        *,
        branch: str = "main",
        workdir: Path | None = None,
        author: tuple[str, str] = ("Formwork", "formwork@localhost"),
    ) -> None:
        if not url or not url.strip():
            raise InputError("GitOps repository: the URL is empty")
        if not branch or branch.startswith("-") or any(c.isspace() for c in branch):
            raise InputError(f"{redact(url)}: invalid branch name '{branch}'")
        self.url = url
        self.branch = branch
        self.author = author
        self.shown = redact(url)
        self.remote, credentials = split_credentials(url, self.shown)
        self._lock = threading.RLock()
        if workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="formwork-gitops-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.workdir), True)
        else:
            self.workdir = Path(workdir)
        self.git = Git(self.workdir, shown=self.shown, author=author, credentials=credentials, secrets=secrets_of(url))
        self._ready = False

    def __repr__(self) -> str:
        return f"GitOpsRepo({self.shown!r}, branch={self.branch!r})"

    # -- reading ------------------------------------------------------------------------------

    def current(self, overlay: str, image: str = "odoo") -> str | None:
        """The digest `<overlay>/kustomization.yaml` pins for `image`, or None when it names none."""
        with self._lock:
            self._sync()
            path = self._kustomization(overlay)
            data = load_mapping((self.workdir / path).read_text(encoding="utf-8"), f"{self.shown}: {path}")
            return digest_of(data, image)

    def history(self, overlay: str, image: str = "odoo", limit: int = 20) -> list[Pin]:
        """Newest first: the commits that changed the overlay's kustomization, each with the digest it named."""
        with self._lock:
            self._sync()
            path = self._kustomization(overlay)
            return self._history(path, image, limit)

    def previous(self, overlay: str, image: str = "odoo") -> str | None:
        """The digest pinned before the current one (what a rollback goes back to), or None."""
        with self._lock:
            self._sync()
            path = self._kustomization(overlay)
            data = load_mapping((self.workdir / path).read_text(encoding="utf-8"), f"{self.shown}: {path}")
            current = digest_of(data, image)
            skip, page = 0, 50
            while True:
                pins = self._history(path, image, page, skip=skip)
                for pin in pins:
                    if pin.digest and pin.digest != current:
                        return pin.digest
                if len(pins) < page:
                    return None
                skip += page

    # -- changing -----------------------------------------------------------------------------

    def pin(
        self,
        overlay: str,
        digest: str,
        *,
        new_name: str,
        image: str = "odoo",
        message: str,
        trailers: dict[str, str],
        over: str | None | object = ANYTHING,
    ) -> str:
        """Pin `image` to `new_name@digest` in the overlay, commit with `trailers`, push; the commit sha.

        `over`: the digest the overlay must pin now (None: none), checked again on every attempt, so a
        release approved over one digest never replaces another that someone pinned meanwhile.
        Pinning what is already there commits nothing and returns the current head.
        A push refused because someone else pushed first is re-applied on their
        commit and retried, up to PUSH_RETRIES times.
        """
        if not _DIGEST.match(digest or ""):
            raise InputError(f"{self.shown}: '{digest}' is not an image digest (sha256:<64 hex>)")
        if not new_name or any(c.isspace() for c in new_name) or "@" in new_name:
            raise InputError(f"{self.shown}: '{new_name}' is not an image repository name")
        if not image or any(c.isspace() for c in image):
            raise InputError(f"{self.shown}: '{image}' is not an image name")
        if not message or not message.strip():
            raise InputError(f"{self.shown}: a GitOps commit needs a message")
        extra = check_trailers(trailers, self.shown)
        with self._lock:
            for _attempt in range(PUSH_RETRIES + 1):
                self._sync()
                path = self._kustomization(overlay)
                file = self.workdir / path
                text = file.read_text(encoding="utf-8")
                where = f"{self.shown}: {path}"
                before = digest_of(load_mapping(text, where), image)
                if over is not ANYTHING and before != over:
                    raise OperationError(
                        f"{where}: pins {before or 'nothing'}, not {over or 'nothing'} as this change was approved "
                        "over; nothing changed (ask again)"
                    )
                changed = set_image(text, image=image, new_name=new_name, digest=digest, where=where)
                base = self._rev("HEAD")
                if changed is None:
                    return base
                file.write_text(changed, encoding="utf-8")
                lines = {k: v for k, v in extra.items() if k.lower() != PREVIOUS_DIGEST.lower()}
                if before:
                    lines[PREVIOUS_DIGEST] = before
                body = message.strip() + "\n\n" + "\n".join(f"{k}: {v}" for k, v in lines.items()) + "\n"
                self.git.run("add", "--", path)
                self.git.run("commit", "--quiet", "--no-verify", "--cleanup=whitespace", "-F", "-", input=body)
                sha = self._rev("HEAD")
                pushed = self.git.run("push", "--porcelain", "origin", f"HEAD:refs/heads/{self.branch}", check=False)
                if pushed.returncode == 0:
                    return sha
                said = pushed.stdout + "\n" + pushed.stderr
                self._fetch()
                moved = self._rev(f"refs/remotes/origin/{self.branch}") != base
                if not (moved or _RACE.search(said)):
                    raise OperationError(self.git.failure("push", pushed))
            raise OperationError(
                f"{self.shown}: push to {self.branch} refused {PUSH_RETRIES + 1} times "
                f"(others keep pushing first); last: {last_line(said, self.git.secrets)}"
            )

    # -- git ----------------------------------------------------------------------------------

    def _rev(self, ref: str) -> str:
        return self.git.run("rev-parse", "--verify", "--quiet", ref + "^{commit}").stdout.strip()

    def _fetch(self) -> None:
        self.git.run(
            "fetch", "--quiet", "--prune", "--no-tags", "origin", f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}"
        )

    def _sync(self) -> None:
        """Make the private clone exactly `origin/<branch>`: fetch, reset --hard, clean."""
        if not self._ready:
            self._prepare()
        self._fetch()
        self.git.run("checkout", "--quiet", "--force", "-B", self.branch, f"refs/remotes/origin/{self.branch}")
        self.git.run("reset", "--quiet", "--hard", f"refs/remotes/origin/{self.branch}")
        self.git.run("clean", "-q", "-fdx")

    def _prepare(self) -> None:
        work = self.workdir
        if (work / ".git").is_dir():
            remote = self.git.run("config", "--get", "remote.origin.url", check=False).stdout.strip()
            if remote != self.remote:
                raise InputError(
                    f"{self.shown}: work folder {work} is a clone of another repository ({redact(remote) or 'no origin'})"
                )
        else:
            if work.exists() and any(work.iterdir()):
                raise InputError(f"{self.shown}: work folder {work} is not empty and not a clone of this repository")
            work.mkdir(parents=True, exist_ok=True)
            self.git.run("init", "--quiet", f"--initial-branch={self.branch}")
            self.git.run("remote", "add", "origin", self.remote)
        self._ready = True

    def _kustomization(self, overlay: str) -> str:
        """The overlay's kustomization path, relative to the repository root; InputError when missing."""
        raw = (overlay or "").strip().strip("/")
        parts = PurePosixPath(raw).parts if raw else ()
        if not parts or any(p in ("..", ".") for p in parts) or raw.startswith("/") or "\\" in raw:
            raise InputError(f"{self.shown}: '{overlay}' is not an overlay folder inside the repository")
        path = "/".join(parts) + "/" + KUSTOMIZATION
        if not (self.workdir / path).is_file():
            raise InputError(f"{self.shown}: {path} not found on branch {self.branch}")
        return path

    def _history(self, path: str, image: str, limit: int, skip: int = 0) -> list[Pin]:
        log = self.git.run(
            "log",
            "-z",
            f"--max-count={max(limit, 0)}",
            f"--skip={skip}",
            "--format=%H%x1f%B%x1f%(trailers:only,unfold)",
            f"refs/remotes/origin/{self.branch}",
            "--",
            path,
        ).stdout
        commits = []
        for record in log.split("\0"):
            if not record.strip():
                continue
            sha, body, trailer_text = (record.split("\x1f") + ["", ""])[:3]
            commits.append((sha.strip(), body, parse_trailers(trailer_text)))
        if not commits:
            return []
        blobs = self._blobs([f"{sha}:{path}" for sha, _, _ in commits])
        pins = []
        for (sha, body, trailers), blob in zip(commits, blobs):
            digest = None
            if blob is not None:
                try:
                    data = yaml.safe_load(blob)
                    digest = digest_of(data, image) if isinstance(data, dict) else None
                except yaml.YAMLError:
                    digest = None
            pins.append(Pin(commit=sha, digest=digest, message=without_trailers(body, trailers), trailers=trailers))
        return pins

    def _blobs(self, specs: list[str]) -> list[str | None]:
        """The contents of `<commit>:<path>` for each spec (None where the file did not exist), in one git call."""
        return self.git.cat_file(specs) if specs else []
