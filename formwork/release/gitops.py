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

import os
import re
import shutil
import subprocess
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit, urlunsplit

import yaml

from formwork import commands
from formwork.errors import InputError, OperationError, first_line

KUSTOMIZATION = "kustomization.yaml"
PREVIOUS_DIGEST = "Previous-digest"  # trailer written by `pin`: the digest the commit replaced
PUSH_RETRIES = 3
GIT_TIMEOUT = 300.0  # seconds for one git command

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TRAILER_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s@]+)@")
# Variables of the caller's that still apply (how to reach the remote); every other GIT_* is dropped.
_KEPT_ENV = frozenset({"GIT_SSH_COMMAND", "GIT_SSH", "GIT_ASKPASS", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
                       "GIT_PROXY_COMMAND", "GIT_HTTP_PROXY_AUTHMETHOD"})
# git asks this for the credentials of an http(s) remote; it reads them from git's environment, not its argv.
_CREDENTIAL_HELPER = ('!f() { test "$1" = get || exit 0; printf "username=%s\\n" "$FORMWORK_GIT_USERNAME"; '
                      'test -z "$FORMWORK_GIT_PASSWORD" || printf "password=%s\\n" "$FORMWORK_GIT_PASSWORD"; }; f')
# What git says when someone else updated the branch between our fetch and our push.
_RACE = re.compile(r"fetch first|non-fast-forward|stale info|failed to update ref|cannot lock ref|failed to lock|incorrect old value")


def redact(text: str) -> str:
    """`text` with the credentials of any URL in it replaced by `***` (`https://***@host/...`).

    A user with a password (any scheme) or a bare user on http(s) (a token) is
    hidden; `ssh://git@host` keeps its user, which is no secret.
    """

    def hide(match: re.Match[str]) -> str:
        scheme, userinfo = match.group(1), match.group(2)
        if ":" in userinfo or scheme.lower() in ("http://", "https://"):
            return f"{scheme}***@"
        return match.group(0)

    return _USERINFO.sub(hide, text)


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

    def __init__(self, url: str, *, branch: str = "main", workdir: Path | None = None,
                 author: tuple[str, str] = ("Formwork", "formwork@localhost")) -> None:
        if not url or not url.strip():
            raise InputError("GitOps repository: the URL is empty")
        if not branch or branch.startswith("-") or any(c.isspace() for c in branch):
            raise InputError(f"{redact(url)}: invalid branch name '{branch}'")
        self.url = url
        self.branch = branch
        self.author = author
        self.shown = redact(url)
        self.remote, self._credentials = _split_credentials(url, self.shown)
        self._lock = threading.RLock()
        self._secrets = _secrets_of(url)
        if workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="formwork-gitops-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.workdir), True)
        else:
            self.workdir = Path(workdir)
        self._ready = False

    def __repr__(self) -> str:
        return f"GitOpsRepo({self.shown!r}, branch={self.branch!r})"

    # -- reading ------------------------------------------------------------------------------

    def current(self, overlay: str, image: str = "odoo") -> str | None:
        """The digest `<overlay>/kustomization.yaml` pins for `image`, or None when it names none."""
        with self._lock:
            self._sync()
            path = self._kustomization(overlay)
            data = _load_mapping((self.workdir / path).read_text(encoding="utf-8"), f"{self.shown}: {path}")
            return _digest_of(data, image)

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
            data = _load_mapping((self.workdir / path).read_text(encoding="utf-8"), f"{self.shown}: {path}")
            current = _digest_of(data, image)
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

    def pin(self, overlay: str, digest: str, *, new_name: str, image: str = "odoo", message: str,
            trailers: dict[str, str]) -> str:
        """Pin `image` to `new_name@digest` in the overlay, commit with `trailers`, push; the commit sha.

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
        extra = _check_trailers(trailers, self.shown)
        with self._lock:
            for _attempt in range(PUSH_RETRIES + 1):
                self._sync()
                path = self._kustomization(overlay)
                file = self.workdir / path
                text = file.read_text(encoding="utf-8")
                where = f"{self.shown}: {path}"
                before = _digest_of(_load_mapping(text, where), image)
                changed = set_image(text, image=image, new_name=new_name, digest=digest, where=where)
                base = self._rev("HEAD")
                if changed is None:
                    return base
                file.write_text(changed, encoding="utf-8")
                lines = {k: v for k, v in extra.items() if k.lower() != PREVIOUS_DIGEST.lower()}
                if before:
                    lines[PREVIOUS_DIGEST] = before
                body = message.strip() + "\n\n" + "\n".join(f"{k}: {v}" for k, v in lines.items()) + "\n"
                self._git("add", "--", path)
                self._git("commit", "--quiet", "--no-verify", "--cleanup=whitespace", "-F", "-", input=body)
                sha = self._rev("HEAD")
                pushed = self._git("push", "--porcelain", "origin", f"HEAD:refs/heads/{self.branch}", check=False)
                if pushed.returncode == 0:
                    return sha
                said = pushed.stdout + "\n" + pushed.stderr
                self._fetch()
                moved = self._rev(f"refs/remotes/origin/{self.branch}") != base
                if not (moved or _RACE.search(said)):
                    raise OperationError(f"{self.shown}: git push failed: {self._reason(pushed)}")
            raise OperationError(f"{self.shown}: push to {self.branch} refused {PUSH_RETRIES + 1} times "
                                 f"(others keep pushing first); last: {_last_line(said, self._secrets)}")

    # -- git ----------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_ENV}
        name, email = self.author
        env.update({
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANG": "C",
        })
        if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        env.pop("FORMWORK_GIT_USERNAME", None)
        env.pop("FORMWORK_GIT_PASSWORD", None)
        if self._credentials:
            env["FORMWORK_GIT_USERNAME"], env["FORMWORK_GIT_PASSWORD"] = self._credentials
            env.update({"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": "",
                        "GIT_CONFIG_KEY_1": "credential.helper", "GIT_CONFIG_VALUE_1": _CREDENTIAL_HELPER})
        return env

    def _git(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        command = ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args]
        return commands.run(command, f"{self.shown}: git {args[0]}", cwd=self.workdir, env=self._env(), input=input,
                            timeout=GIT_TIMEOUT, check=check, reason=self._reason)

    def _reason(self, done: subprocess.CompletedProcess) -> str:
        err = done.stderr if isinstance(done.stderr, str) else done.stderr.decode("utf-8", "replace")
        out = done.stdout if isinstance(done.stdout, str) else done.stdout.decode("utf-8", "replace")
        return _last_line(err or out, self._secrets)

    def _rev(self, ref: str) -> str:
        return self._git("rev-parse", "--verify", "--quiet", ref + "^{commit}").stdout.strip()

    def _fetch(self) -> None:
        self._git("fetch", "--quiet", "--prune", "--no-tags", "origin",
                  f"+refs/heads/{self.branch}:refs/remotes/origin/{self.branch}")

    def _sync(self) -> None:
        """Make the private clone exactly `origin/<branch>`: fetch, reset --hard, clean."""
        if not self._ready:
            self._prepare()
        self._fetch()
        self._git("checkout", "--quiet", "--force", "-B", self.branch, f"refs/remotes/origin/{self.branch}")
        self._git("reset", "--quiet", "--hard", f"refs/remotes/origin/{self.branch}")
        self._git("clean", "-q", "-fdx")

    def _prepare(self) -> None:
        work = self.workdir
        if (work / ".git").is_dir():
            remote = self._git("config", "--get", "remote.origin.url", check=False).stdout.strip()
            if remote != self.remote:
                raise InputError(f"{self.shown}: work folder {work} is a clone of another repository ({redact(remote) or 'no origin'})")
        else:
            if work.exists() and any(work.iterdir()):
                raise InputError(f"{self.shown}: work folder {work} is not empty and not a clone of this repository")
            work.mkdir(parents=True, exist_ok=True)
            self._git("init", "--quiet", f"--initial-branch={self.branch}")
            self._git("remote", "add", "origin", self.remote)
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
        log = self._git("log", "-z", f"--max-count={max(limit, 0)}", f"--skip={skip}",
                        "--format=%H%x1f%B%x1f%(trailers:only,unfold)", f"refs/remotes/origin/{self.branch}",
                        "--", path).stdout
        commits = []
        for record in log.split("\0"):
            if not record.strip():
                continue
            sha, body, trailer_text = (record.split("\x1f") + ["", ""])[:3]
            commits.append((sha.strip(), body, _parse_trailers(trailer_text)))
        if not commits:
            return []
        blobs = self._blobs([f"{sha}:{path}" for sha, _, _ in commits])
        pins = []
        for (sha, body, trailers), blob in zip(commits, blobs):
            digest = None
            if blob is not None:
                try:
                    data = yaml.safe_load(blob)
                    digest = _digest_of(data, image) if isinstance(data, dict) else None
                except yaml.YAMLError:
                    digest = None
            pins.append(Pin(commit=sha, digest=digest, message=_without_trailers(body, trailers), trailers=trailers))
        return pins

    def _blobs(self, specs: list[str]) -> list[str | None]:
        """The contents of `<commit>:<path>` for each spec (None where the file did not exist), in one git call."""
        return self._cat_file(specs) if specs else []

    def _cat_file(self, specs: list[str]) -> list[str | None]:
        command = ["git", "cat-file", "--batch"]
        done = commands.run(command, f"{self.shown}: git cat-file", cwd=self.workdir, env=self._env(), text=False,
                            input=("\n".join(specs) + "\n").encode(), timeout=GIT_TIMEOUT, reason=self._reason)
        out, pos, result = done.stdout, 0, []
        for _ in specs:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode("utf-8", "replace").split()
            pos = end + 1
            if len(header) == 3 and header[1] == "blob":
                size = int(header[2])
                result.append(out[pos:pos + size].decode("utf-8", "replace"))
                pos += size + 1
            elif len(header) == 3:  # a tree or something else: skip its content
                pos += int(header[2]) + 1
                result.append(None)
            else:  # "<spec> missing"
                result.append(None)
        return result


# -- the kustomization file -------------------------------------------------------------------

def set_image(text: str, *, image: str, new_name: str, digest: str, where: str) -> str | None:
    """`text` with the `images:` entry for `image` set to {name, newName, digest}; None when already so.

    Only the `images:` block is rewritten (comments and the rest of the file stay as
    they are); a file where that cannot be done safely is re-dumped whole, keys in order.
    """
    data = _load_mapping(text, where)
    images = data.get("images")
    if images is None:
        images = []
    if not isinstance(images, list) or not all(isinstance(e, dict) for e in images):
        raise InputError(f"{where}: 'images' is not a list of mappings")
    entry = {"name": image, "newName": new_name, "digest": digest}
    new_images, placed = [], False
    for existing in images:
        if existing.get("name") == image:
            if not placed:
                new_images.append(entry)
                placed = True
            continue  # a duplicate entry for the same image would be ambiguous: drop it
        new_images.append(existing)
    if not placed:
        new_images.append(entry)
    if "images" in data and new_images == images:
        return None
    new_data = dict(data)
    new_data["images"] = new_images
    spliced = _splice_images(text, new_images)
    if spliced is not None:
        try:
            if yaml.safe_load(spliced) == new_data:
                return spliced
        except yaml.YAMLError:
            pass
    return yaml.safe_dump(new_data, sort_keys=False, default_flow_style=False)


def _splice_images(text: str, images: list[dict]) -> str | None:
    block = yaml.safe_dump({"images": images}, sort_keys=False, default_flow_style=False)
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"^images\s*:", line)]
    if len(starts) > 1:
        return None
    if not starts:
        if any(line.startswith(("---", "...")) for line in lines[1:]):
            return None
        head = text if not text or text.endswith("\n") else text + "\n"
        return head + block
    start = starts[0]
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.startswith(("---", "...")):
            break
        if line.strip() == "" or line[0] in " \t#-":
            end += 1
            continue
        break
    while end > start + 1 and (lines[end - 1].strip() == "" or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and comments before the next key belong to it
    return "".join(lines[:start]) + block + "".join(lines[end:])


def _load_mapping(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = first_line(exc)
        raise InputError(f"{where}: not valid YAML ({reason})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: not a Kustomization (expected a mapping)")
    return data


def _digest_of(data: dict, image: str) -> str | None:
    images = data.get("images")
    if not isinstance(images, list):
        return None
    for entry in images:
        if isinstance(entry, dict) and entry.get("name") == image:
            digest = entry.get("digest")
            return digest if isinstance(digest, str) and digest else None
    return None


# -- trailers and messages --------------------------------------------------------------------

def _check_trailers(trailers: dict[str, str], shown: str) -> dict[str, str]:
    out = {}
    for key, value in (trailers or {}).items():
        if not isinstance(key, str) or not _TRAILER_KEY.match(key):
            raise InputError(f"{shown}: '{key}' is not a valid git trailer key (letters, digits and '-')")
        flat = " ".join(str(value if value is not None else "").split())  # one line: git trailers cannot hold newlines
        out[key] = flat or "-"
    return out


def _parse_trailers(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def _without_trailers(body: str, trailers: dict[str, str]) -> str:
    body = body.strip()
    if not trailers:
        return body
    head, sep, last = body.rpartition("\n\n")
    if sep and all(":" in line for line in last.splitlines() if line.strip()):
        return head.strip()
    return body


def _split_credentials(url: str, shown: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its credentials, and (user, password) for the helper; None when it carries none.

    Only http(s) credentials can go through a helper; a password in any other URL would
    land in the clone's configuration, so it is refused.
    """
    match = _USERINFO.match(url)
    if not match or redact(match.group(0)) == match.group(0):
        return url, None  # no userinfo, or a user that is no secret (ssh://git@host)
    if match.group(1).lower() not in ("http://", "https://"):
        raise InputError(f"{shown}: a password in a {match.group(1)} URL cannot be kept out of git's configuration; "
                         "use an SSH key, or an https:// URL")
    parts = urlsplit(url)
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    user, password = unquote(user), unquote(password)
    if any(c in "\r\n\0" for c in user + password):
        raise InputError(f"{shown}: the URL's credentials hold a line break")
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])), (user, password)


def _secrets_of(url: str) -> list[str]:
    match = _USERINFO.search(url)
    if not match:
        return []
    parts = [p for p in match.group(2).split(":", 1)]
    if len(parts) == 1 and not match.group(1).lower().startswith("http"):
        return []
    secrets = set()
    for part in parts[1:] if len(parts) == 2 else parts:
        if len(part) >= 3:
            secrets.update({part, unquote(part)})
    return sorted(secrets, key=len, reverse=True)


def _last_line(text: str, secrets: list[str]) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    line = lines[-1] if lines else "no message from git"
    line = redact(line)
    for secret in secrets:
        line = line.replace(secret, "***")
    return line
