"""Container images by digest, through skopeo (the maintained client of containers/image).

Promotion copies the manifest bytes a build produced, never a re-built or
re-pushed image: the manifest is copied byte for byte with the same media type,
so the digest seen by the cluster is the digest that was scanned. Credentials come
from the standard auth files that skopeo reads itself; they never appear on a
command line or in a message. Every failure is one `OperationError` line naming
the registry.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from typing import Self

from formwork import commands
from formwork.commands import last_output_line
from formwork.errors import InputError, OperationError
from formwork.release.reference import sha256_digest, valid_digest, valid_host, valid_repository, valid_tag

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
IMAGE_MANIFESTS = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEXES = (OCI_INDEX, DOCKER_LIST)

INSECURE_ENV = "FORMWORK_INSECURE_REGISTRIES"
LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def default_insecure(host: str) -> bool:
    """Plain HTTP for loopback registries and for those listed in FORMWORK_INSECURE_REGISTRIES."""
    hostname = _hostname(host).lower()
    if hostname in LOOPBACK:
        return True
    listed = {entry.strip().lower() for entry in os.environ.get(INSECURE_ENV, "").split(",") if entry.strip()}
    return host.lower() in listed or hostname in listed


def _skopeo_message(done: subprocess.CompletedProcess) -> str:
    """skopeo's `time=... level=fatal msg="..."` line -> the message alone, on one line."""
    line = last_output_line(done)
    found = re.search(r'msg="(.*)"\s*$', line)
    return " ".join((found.group(1).replace('\\"', '"') if found else line).split())


class Registry:
    """One registry host, spoken to through skopeo.

    skopeo finds the credentials where every container tool does ($REGISTRY_AUTH_FILE,
    ${XDG_RUNTIME_DIR}/containers/auth.json, ~/.docker/config.json), so none is ever passed
    on its command line, and its errors name the registry, not the user.
    """

    def __init__(self, host: str, *, insecure: bool | None = None, timeout: float = 600) -> None:
        host = host.strip().rstrip("/")
        if not host or not valid_host(host):
            raise InputError(f"registry '{host}': expected host[:port] without scheme or path")
        self.host = host
        self.insecure = default_insecure(host) if insecure is None else insecure
        self.base_url = f"{'http' if self.insecure else 'https'}://{host}"
        self.timeout = timeout

    def close(self) -> None:
        """Nothing stays open between calls; kept so callers can use `with`."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Registry({self.base_url!r})"

    # -- public API ------------------------------------------------------------------------

    def resolve(self, repository: str, reference: str) -> str:
        """A tag or digest -> the manifest digest (the sha256 of the manifest bytes)."""
        return self.manifest(repository, reference)[2]

    def manifest(self, repository: str, reference: str) -> tuple[bytes, str, str]:
        """(body, media type, digest) of a manifest; the digest is computed from the body and checked."""
        self._check_reference(repository, reference)
        name = f"{repository}{'@' if valid_digest(reference) else ':'}{reference}"
        done = self._skopeo(
            "inspect", "--raw", *self._tls(), self._address(name), what=f"read manifest {name}", check=False, text=False
        )
        if done.returncode != 0:
            message = _skopeo_message(done)
            if "manifest unknown" in message:
                raise OperationError(f"registry {self.host}: manifest {name} not found (404 MANIFEST_UNKNOWN)")
            raise OperationError(f"registry {self.host}: read manifest {name} failed: {self._reason(message)}")
        body = done.stdout
        digest = sha256_digest(body)
        if valid_digest(reference) and digest != reference:
            raise OperationError(f"registry {self.host}: manifest {repository}@{reference} has digest {digest}")
        document = self._parse(body, repository, digest)
        media_type = document.get("mediaType") or (OCI_INDEX if "manifests" in document else OCI_MANIFEST)
        return body, media_type, digest

    def copy(self, digest: str, source_repository: str, target_repository: str, tag: str) -> str:
        """Put manifest `digest` of `source_repository` into `target_repository` as `tag`; returns the digest.

        `skopeo copy --all --preserve-digests` copies an index's children and every blob
        and stores the very same manifest bytes, so the digest the cluster sees is the digest
        that was scanned; the registry's answer is checked afterwards.
        """
        if not valid_digest(digest):
            raise InputError(f"digest '{digest}': expected sha256:<64 lowercase hex>")
        if not valid_tag(tag):
            raise InputError(f"tag '{tag}': not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})")
        for repository in (source_repository, target_repository):
            if not valid_repository(repository):
                raise InputError(f"repository '{repository}': not a valid repository name (lowercase path components)")
        _, media_type, _ = self.manifest(source_repository, digest)
        if media_type not in INDEXES + IMAGE_MANIFESTS:
            raise OperationError(f"registry {self.host}: {source_repository}@{digest} has unsupported media type {media_type!r}")
        tls = [] if not self.insecure else ["--src-tls-verify=false", "--dest-tls-verify=false"]
        self._skopeo(
            "copy",
            "--quiet",
            "--all",
            "--preserve-digests",
            *tls,
            self._address(f"{source_repository}@{digest}"),
            self._address(f"{target_repository}:{tag}"),
            what=f"copy {source_repository}@{digest} to {target_repository}:{tag}",
        )
        answered = self.resolve(target_repository, tag)
        if answered != digest:
            raise OperationError(f"registry {self.host}: {target_repository}:{tag} was stored as {answered}, expected {digest}")
        return digest

    def labels(self, repository: str, digest: str) -> dict[str, str]:
        """The image config's labels (none for a multi-platform index)."""
        body, media_type, _ = self.manifest(repository, digest)
        if media_type in INDEXES or not json.loads(body).get("config"):
            return {}
        done = self._skopeo(
            "inspect",
            "--config",
            *self._tls(),
            self._address(f"{repository}@{digest}"),
            what=f"read the config of {repository}@{digest}",
        )
        try:
            config = json.loads(done.stdout)
        except ValueError:
            raise OperationError(f"registry {self.host}: config of {repository}@{digest} is not JSON") from None
        return (config.get("config") or {}).get("Labels") or {}

    def tags(self, repository: str) -> list[str]:
        """Every tag of `repository`; [] when the repository does not exist yet."""
        if not valid_repository(repository):
            raise InputError(f"repository '{repository}': not a valid repository name (lowercase path components)")
        done = self._skopeo("list-tags", *self._tls(), self._address(repository), what=f"list tags of {repository}", check=False)
        if done.returncode != 0:
            message = _skopeo_message(done)
            if "name unknown" in message.lower() or "registry 404" in message.lower():  # skopeo 1.9 says the latter
                return []
            raise OperationError(f"registry {self.host}: list tags of {repository} failed: {self._reason(message)}")
        try:
            return list(json.loads(done.stdout).get("Tags") or [])
        except (ValueError, AttributeError):
            raise OperationError(f"registry {self.host}: tag list of {repository} is not JSON") from None

    # -- skopeo ----------------------------------------------------------------------------

    def _address(self, name: str) -> str:
        return f"docker://{self.host}/{name}"

    def _tls(self) -> list[str]:
        return ["--tls-verify=false"] if self.insecure else []

    def _reason(self, message: str) -> str:
        """skopeo's message, said plainly for the two failures an operator meets most."""
        lowered = message.lower()
        if "connection refused" in lowered or "no such host" in lowered or "i/o timeout" in lowered:
            return f"cannot reach {self.base_url}: {message}"
        if "unauthorized" in lowered or "authentication required" in lowered:
            return f"401 unauthorized (check the credentials for {self.host} in $REGISTRY_AUTH_FILE or ~/.docker/config.json): {message}"
        return message

    def _skopeo(self, *args: str, what: str, check: bool = True, text: bool = True) -> subprocess.CompletedProcess:
        return commands.run(
            ["skopeo", *args],
            f"registry {self.host}: {what}",
            timeout=self.timeout,
            check=check,
            text=text,
            reason=lambda done: self._reason(_skopeo_message(done)),
            install="apt-get install skopeo, or tools/ensure-skopeo.sh",
        )

    def _parse(self, body: bytes, repository: str, digest: str) -> dict:
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise OperationError(f"registry {self.host}: manifest {repository}@{digest} is not a JSON object")
        return document

    def _check_reference(self, repository: str, reference: str) -> None:
        if not valid_repository(repository):
            raise InputError(f"repository '{repository}': not a valid repository name (lowercase path components)")
        if not (valid_digest(reference) or valid_tag(reference)):
            raise InputError(f"reference '{reference}': expected a tag or sha256:<64 lowercase hex>")
