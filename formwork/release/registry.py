"""Container images by digest, over the OCI distribution HTTP API.

Promotion copies the manifest bytes a build produced, never a re-built or
re-pushed image: blobs are mounted across repositories (streamed only when the
registry refuses the mount), and the manifest is PUT byte for byte with the
same media type, so the digest seen by the cluster is the digest that was
scanned. Every registry answer we do not expect becomes one `OperationError`
line with the HTTP status and the registry's error code; credentials never
appear in a message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self
from urllib.parse import urljoin

import httpx

from formwork.errors import InputError, OperationError

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
IMAGE_MANIFESTS = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEXES = (OCI_INDEX, DOCKER_LIST)
ACCEPT = f"{OCI_MANIFEST}, {OCI_INDEX}, {DOCKER_MANIFEST}, {DOCKER_LIST}"

INSECURE_ENV = "FORMWORK_INSECURE_REGISTRIES"
LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?")
_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_SHAPE = "host[:port]/repository[:tag][@sha256:<64 hex>]"


def valid_digest(text: str) -> bool:
    return bool(_DIGEST.fullmatch(text))


def valid_repository(text: str) -> bool:
    return bool(text) and len(text) <= 255 and all(_COMPONENT.fullmatch(part) for part in text.split("/"))


def valid_tag(text: str) -> bool:
    return bool(_TAG.fullmatch(text))


def sha256_digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class ImageRef:
    registry: str  # host[:port]
    repository: str  # e.g. odoo/app
    tag: str | None = None
    digest: str | None = None  # sha256:<64 hex>

    @classmethod
    def parse(cls, text: str, *, option: str = "IMAGE") -> ImageRef:
        """`reg:5000/odoo/app@sha256:...`, `reg/odoo/app:tag` or `reg/odoo/app:tag@sha256:...`."""
        shown = text.strip()

        def refuse(reason: str) -> InputError:
            return InputError(f"{option} {shown!r}: {reason}; expected {_SHAPE}")

        first, slash, rest = shown.partition("/")
        if not slash or not rest:
            raise refuse("no registry host")
        if not (first == "localhost" or "." in first or ":" in first or first.startswith("[")):
            raise refuse(f"no registry host ('{first}' is not host[:port])")
        if not _HOST.fullmatch(first):
            raise refuse(f"registry host '{first}' is not host[:port]")
        name, at, digest = rest.partition("@")
        if at and not valid_digest(digest):
            raise refuse(f"digest '{digest}' is not sha256:<64 lowercase hex>")
        repository, tag = name, None
        last_slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > last_slash:
            repository, tag = name[:colon], name[colon + 1 :]
            if not valid_tag(tag):
                raise refuse(f"tag '{tag}' is not a valid tag")
        if not valid_repository(repository):
            raise refuse(f"repository '{repository}' is not a valid repository name (lowercase path components)")
        return cls(registry=first, repository=repository, tag=tag, digest=digest or None)

    @property
    def reference(self) -> str | None:
        """What to ask the registry for: the digest when known, else the tag."""
        return self.digest or self.tag

    def __str__(self) -> str:
        name = f"{self.registry}/{self.repository}"
        if self.digest:
            return f"{name}@{self.digest}"
        if self.tag:
            return f"{name}:{self.tag}"
        return name


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


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    """`Bearer realm="...",service="...",scope="..."` -> ("bearer", {...})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {key.lower(): value for key, value in re.findall(r'([A-Za-z]+)="([^"]*)"', rest)}
    for key, value in re.findall(r'([A-Za-z]+)=([^",\s]+)', rest):
        params.setdefault(key.lower(), value)
    return scheme.lower(), params


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _registry_error(response: httpx.Response) -> str:
    """`404 MANIFEST_UNKNOWN: manifest unknown` from a registry error body, or just the status."""
    status = f"{response.status_code} {response.reason_phrase}".strip()
    try:
        errors = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    parts = [f"{e.get('code', '?')}: {e.get('message', '')}".rstrip(": ") for e in errors if isinstance(e, dict)]
    return _one_line(f"{response.status_code} {'; '.join(parts)}" if parts else status)


class Registry:
    """One registry host, spoken to over the distribution API (`/v2/`)."""

    def __init__(
        self,
        host: str,
        *,
        insecure: bool | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        host = host.strip().rstrip("/")
        if not host or not _HOST.fullmatch(host):
            raise InputError(f"registry '{host}': expected host[:port] without scheme or path")
        self.host = host
        self.insecure = default_insecure(host) if insecure is None else insecure
        self.base_url = f"{'http' if self.insecure else 'https'}://{host}"
        self._credentials = (username, password or "") if username else None
        self._basic = False  # the registry asked for Basic and we have credentials
        self._tokens: dict[str, str] = {}  # our scope key -> bearer token
        self._client = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(timeout, connect=10.0))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Registry({self.base_url!r})"

    # -- public API ------------------------------------------------------------------------

    def resolve(self, repository: str, reference: str) -> str:
        """A tag or digest -> the manifest digest (HEAD; GET and hash when the header is missing)."""
        response = self._manifest_request("HEAD", repository, reference)
        digest = response.headers.get("Docker-Content-Digest", "")
        if valid_digest(digest):
            if valid_digest(reference) and digest != reference:
                raise OperationError(f"registry {self.host}: asked for {repository}@{reference}, got {digest}")
            return digest
        return self.manifest(repository, reference)[2]

    def manifest(self, repository: str, reference: str) -> tuple[bytes, str, str]:
        """(body, media type, digest) of a manifest; the digest is computed from the body and checked."""
        response = self._manifest_request("GET", repository, reference)
        body = response.content
        digest = sha256_digest(body)
        if valid_digest(reference) and digest != reference:
            raise OperationError(f"registry {self.host}: manifest {repository}@{reference} has digest {digest}")
        header = response.headers.get("Docker-Content-Digest")
        if header and header != digest:
            raise OperationError(f"registry {self.host}: manifest {repository}:{reference} body is {digest}, header says {header}")
        media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip()
        if media_type not in IMAGE_MANIFESTS + INDEXES:
            media_type = self._parse(body, repository, digest).get("mediaType") or media_type
        return body, media_type, digest

    def copy(self, digest: str, source_repository: str, target_repository: str, tag: str) -> str:
        """Put manifest `digest` of `source_repository` into `target_repository` as `tag`; returns the digest.

        Blobs are mounted from the source repository (streamed when the registry will not
        mount), children of an index are copied by digest first, then the very same manifest
        bytes are PUT with the same media type and the registry's digest is checked.
        """
        if not valid_digest(digest):
            raise InputError(f"digest '{digest}': expected sha256:<64 lowercase hex>")
        if not valid_tag(tag):
            raise InputError(f"tag '{tag}': not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})")
        for repository in (source_repository, target_repository):
            if not valid_repository(repository):
                raise InputError(f"repository '{repository}': not a valid repository name (lowercase path components)")
        self._copy_manifest(digest, source_repository, target_repository, tag)
        return digest

    def labels(self, repository: str, digest: str) -> dict[str, str]:
        """The image config's labels (none for a multi-platform index)."""
        body, _, _ = self.manifest(repository, digest)
        config = json.loads(body).get("config")
        if not config:
            return {}
        response = self._request("GET", f"/v2/{repository}/blobs/{config['digest']}", scope=self._pull(repository))
        self._expect(response, 200, f"config {repository}@{config['digest']}")
        return (response.json().get("config") or {}).get("Labels") or {}

    def tags(self, repository: str) -> list[str]:
        """Every tag of `repository` (following pagination); [] when the repository does not exist yet."""
        if not valid_repository(repository):
            raise InputError(f"repository '{repository}': not a valid repository name (lowercase path components)")
        found: list[str] = []
        url: str | None = f"/v2/{repository}/tags/list"
        while url:
            response = self._request("GET", url, scope=self._pull(repository))
            if response.status_code == 404 and "NAME_UNKNOWN" in response.text:
                return []
            self._expect(response, 200, f"list tags of {repository}")
            try:
                found.extend(response.json().get("tags") or [])
            except (ValueError, AttributeError):
                raise OperationError(f"registry {self.host}: tag list of {repository} is not JSON") from None
            following = response.links.get("next", {}).get("url")
            url = urljoin(str(response.url), following) if following else None
        return found

    # -- copying ---------------------------------------------------------------------------

    def _manifest_request(self, method: str, repository: str, reference: str) -> httpx.Response:
        """HEAD or GET a manifest; a missing one is named (HEAD answers carry no error body)."""
        self._check_reference(repository, reference)
        path = f"/v2/{repository}/manifests/{reference}"
        response = self._request(method, path, scope=self._pull(repository), headers={"Accept": ACCEPT})
        if response.status_code == 404:
            name = f"{repository}{'@' if valid_digest(reference) else ':'}{reference}"
            why = "404" if method == "HEAD" else _registry_error(response)
            raise OperationError(f"registry {self.host}: manifest {name} not found ({why})")
        self._expect(response, 200, f"{method} manifest {repository}:{reference}")
        return response

    def _copy_manifest(self, digest: str, source: str, target: str, tag: str | None) -> None:
        body, media_type, _ = self.manifest(source, digest)
        document = self._parse(body, source, digest)
        if media_type not in INDEXES + IMAGE_MANIFESTS:
            raise OperationError(f"registry {self.host}: {source}@{digest} has unsupported media type {media_type!r}")
        if source != target:  # within one repository every child and blob is already there
            if media_type in INDEXES:
                for child in document.get("manifests") or []:
                    child_digest = child.get("digest", "")
                    if not valid_digest(child_digest):
                        raise OperationError(f"registry {self.host}: index {source}@{digest} lists a bad digest {child_digest!r}")
                    self._copy_manifest(child_digest, source, target, None)
            else:
                for blob in [document.get("config") or {}, *(document.get("layers") or [])]:
                    blob_digest = blob.get("digest", "")
                    if not valid_digest(blob_digest):
                        raise OperationError(f"registry {self.host}: manifest {source}@{digest} lists a bad blob digest {blob_digest!r}")
                    self._transfer_blob(blob_digest, source, target)
        self._put_manifest(body, media_type, digest, target, tag or digest)

    def _put_manifest(self, body: bytes, media_type: str, digest: str, target: str, reference: str) -> None:
        path = f"/v2/{target}/manifests/{reference}"
        response = self._request(
            "PUT", path, scope=self._push(target), content=body, headers={"Content-Type": media_type},
        )
        self._expect(response, 201, f"PUT manifest {target}:{reference}")
        answered = response.headers.get("Docker-Content-Digest") or self.resolve(target, reference)
        if answered != digest:
            raise OperationError(f"registry {self.host}: {target}:{reference} was stored as {answered}, expected {digest}")

    def _start_mount(self, digest: str, source: str, target: str) -> httpx.Response:
        return self._request(
            "POST", f"/v2/{target}/blobs/uploads/", scope=self._push(target, source),
            params={"mount": digest, "from": source}, headers={"Content-Length": "0"},
        )

    def _transfer_blob(self, digest: str, source: str, target: str) -> None:
        response = self._start_mount(digest, source, target)
        if response.status_code == 201:
            return
        self._expect(response, 202, f"mount blob {digest} from {source} into {target}")
        location = response.headers.get("Location")
        if not location:
            raise OperationError(f"registry {self.host}: upload into {target} gave no Location")
        self._stream_blob(digest, source, target, urljoin(str(response.url), location))

    def _stream_blob(self, digest: str, source: str, target: str, location: str) -> None:
        """The registry would not mount: GET the blob from the source and PUT it as one monolithic upload."""
        scope = self._push(target, source)
        download = self._request("GET", f"/v2/{source}/blobs/{digest}", scope=scope, stream=True)
        try:
            if download.status_code != 200:
                download.read()
                self._expect(download, 200, f"GET blob {source}@{digest}")
            headers = {"Content-Type": "application/octet-stream"}
            if download.headers.get("Content-Length") and "Content-Encoding" not in download.headers:
                headers["Content-Length"] = download.headers["Content-Length"]
            separator = "&" if "?" in location else "?"
            # The POST that opened this upload already answered any challenge for `scope`.
            upload = self._request(
                "PUT", f"{location}{separator}digest={digest}", scope=scope,
                content=_chunks(download.iter_bytes()), headers=headers,
            )
        finally:
            download.close()
        self._expect(upload, 201, f"upload blob {digest} into {target}")

    # -- HTTP and authentication -----------------------------------------------------------

    @staticmethod
    def _pull(repository: str) -> str:
        return f"repository:{repository}:pull"

    @staticmethod
    def _push(target: str, source: str | None = None) -> str:
        scope = f"repository:{target}:pull,push"
        return f"{scope} repository:{source}:pull" if source and source != target else scope

    def _authorize(self, request: httpx.Request, scope: str) -> None:
        token = self._tokens.get(scope)
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        elif self._basic and self._credentials:
            user, password = self._credentials
            request.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def _request(self, method: str, url: str, *, scope: str, stream: bool = False, **kwargs) -> httpx.Response:
        """Send, answering one auth challenge (Bearer token or Basic) and retrying once.

        A body given as an iterator cannot be sent twice, so such a request is not retried.
        """
        replayable = isinstance(kwargs.get("content"), (bytes, str, type(None)))
        for attempt in range(2):
            request = self._client.build_request(method, url, **kwargs)
            self._authorize(request, scope)
            try:
                response = self._client.send(request, stream=stream, follow_redirects=method in ("GET", "HEAD"))
            except httpx.HTTPError as exc:
                raise self._network_error(exc) from None
            if response.status_code != 401 or attempt or not replayable:
                return response
            if stream:
                response.read()
            scheme, params = _challenge(response.headers.get("WWW-Authenticate", ""))
            if scheme == "bearer" and params.get("realm"):
                self._tokens[scope] = self._fetch_token(params, scope)
            elif scheme == "basic" and self._credentials and not self._basic:
                self._basic = True
            else:
                return response
        raise AssertionError("unreachable")

    def _fetch_token(self, params: dict[str, str], scope: str) -> str:
        realm = params["realm"]
        if self._credentials and realm.startswith("http://") and not self.insecure:
            raise OperationError(f"registry {self.host}: token realm {realm} is plain HTTP; refusing to send credentials")
        query: list[tuple[str, str]] = []
        if params.get("service"):
            query.append(("service", params["service"]))
        for item in (params.get("scope") or scope).split():
            query.append(("scope", item))
        auth = httpx.BasicAuth(*self._credentials) if self._credentials else None
        try:
            response = self._client.get(realm, params=query, auth=auth, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise OperationError(f"registry {self.host}: token request to {realm} failed: {_one_line(str(exc))}") from None
        if response.status_code != 200:
            raise OperationError(f"registry {self.host}: token request to {realm} failed: {_registry_error(response)}")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        token = payload.get("token") or payload.get("access_token") if isinstance(payload, dict) else None
        if not token:
            raise OperationError(f"registry {self.host}: token service {realm} answered without a token")
        return token

    def _expect(self, response: httpx.Response, status: int, what: str) -> None:
        if response.status_code != status:
            if response.status_code == 401:
                detail = "401 unauthorized (check the registry credentials)"
            else:
                detail = _registry_error(response)
            raise OperationError(f"registry {self.host}: {what}: {detail}")

    def _network_error(self, exc: httpx.HTTPError) -> OperationError:
        return OperationError(f"registry {self.host}: cannot reach {self.base_url}: {_one_line(str(exc) or type(exc).__name__)}")

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


def _chunks(source: Iterator[bytes]) -> Iterator[bytes]:
    yield from source
