"""Build one Odoo image per commit, push it, and answer with the registry's digest.

The caller hands in a Docker client (tasks/build.py takes it from prefect-docker's `DockerHost`
block), so any Docker-compatible engine works: Docker itself, or Podman's API service (see
`formwork.release.engine`).

- On Podman the build goes through its libpod build endpoint with `timestamp` (the
  `--timestamp` of `podman build`): SOURCE_DATE_EPOCH, else 0. Created times and every
  file time in the layers are then fixed, so the same context gives the same image and
  the same pushed digest. Podman's Docker-compatible `/build` cannot do this: it writes
  Docker-format configs carrying a random container id and hostname.
- On Docker the classic `/build` endpoint is used; it has no timestamp option, so the
  image is not reproducible there.

Labels: `org.opencontainers.image.revision` (the git commit of the context, "unknown"
outside a checkout), `org.opencontainers.image.created` (SOURCE_DATE_EPOCH, else now,
RFC 3339 UTC), `org.odoo.series` (default "17.0"); labels given by the caller win.
The push goes through the engine; the digest returned is the one the registry answers
for the tag, never the engine's image id.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from formwork import commands
from formwork.errors import InputError, OperationError
from formwork.release.reference import ImageRef
from formwork.release.registry import Registry

REVISION = "org.opencontainers.image.revision"
CREATED = "org.opencontainers.image.created"
SERIES = "org.odoo.series"
DEFAULT_SERIES = "17.0"


def git_revision(context: Path) -> str:
    """The commit checked out at `context`, or "unknown" when it is not a git checkout."""
    try:
        result = commands.run(
            ["git", "-C", context, "rev-parse", "--verify", "HEAD"], f"git rev-parse in {context}", check=False, timeout=10
        )
    except OperationError:
        return "unknown"
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else "unknown"


def source_date_epoch() -> int | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"SOURCE_DATE_EPOCH {raw!r}: expected whole seconds since 1970") from None
    if value < 0:
        raise InputError(f"SOURCE_DATE_EPOCH {raw!r}: expected whole seconds since 1970")
    return value


def image_labels(context: Path, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    epoch = source_date_epoch()
    created = datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC).replace(microsecond=0)
    return {
        REVISION: git_revision(context),
        CREATED: created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        SERIES: DEFAULT_SERIES,
        **{str(key): str(value) for key, value in (labels or {}).items()},
    }


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _events_error(events: Iterable[dict], what: str) -> list[str]:
    """Consume a build/push event stream; raise with the engine's error line, else return the stream text."""
    lines: list[str] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        error = event.get("error") or (event.get("errorDetail") or {}).get("message")
        if error:
            raise OperationError(f"{what}: {_one_line(error)}")
        stream = event.get("stream") or event.get("status")
        if stream:
            lines.extend(line for line in str(stream).splitlines() if line.strip())
    return lines


def _is_podman(client) -> bool:
    version = client.version()
    components = version.get("Components") or []
    return any("podman" in str(component.get("Name", "")).lower() for component in components)


def _context_tar(context: Path, dockerfile: str):
    from docker import utils

    exclude = None
    ignore = context / ".dockerignore"
    if ignore.exists():
        exclude = [line.strip() for line in ignore.read_text().splitlines() if line.strip() and not line.strip().startswith("#")]
    return utils.tar(str(context), exclude=exclude, dockerfile=(dockerfile, None), gzip=False)


def _build_podman(
    client, context: Path, image: str, dockerfile: str, labels: dict[str, str], no_cache: bool, timestamp: int | None = None
) -> None:
    from docker.utils.json_stream import json_stream

    epoch = source_date_epoch() if timestamp is None else timestamp
    params = {
        "t": image,
        "dockerfile": dockerfile,
        # A JSON list, not an object: Podman turns each label into one history entry, and an
        # object would be walked in Go's random map order (a different digest every build).
        "labels": json.dumps([f"{key}={value}" for key, value in sorted(labels.items())]),
        "timestamp": str(epoch if epoch is not None else 0),
        "nocache": "true" if no_cache else "false",
        "rm": "true",
    }
    url = f"{client.api.base_url}/v4.0.0/libpod/build"
    with _context_tar(context, dockerfile) as body:
        response = client.api.post(
            url,
            params=params,
            data=body,
            headers={"Content-Type": "application/x-tar"},
            stream=True,
            timeout=None,
        )
        try:
            if response.status_code != 200:
                try:
                    detail = response.json().get("message") or response.text
                except ValueError:
                    detail = response.text
                raise OperationError(f"image build of {image} failed: {response.status_code} {_one_line(detail)}")
            _events_error(json_stream(response.iter_content(chunk_size=None)), f"image build of {image} failed")
        finally:
            response.close()


def _build_docker(
    client, context: Path, image: str, dockerfile: str, labels: dict[str, str], no_cache: bool, timestamp: int | None = None
) -> None:
    events = client.api.build(
        path=str(context),
        tag=image,
        dockerfile=dockerfile,
        labels=labels,
        rm=True,
        nocache=no_cache,
        decode=True,
    )
    _events_error(events, f"image build of {image} failed")


def cached_image(client, tag: str, fill: Callable[[Path], None], *, engine: str) -> str:
    """The id of image `tag` in the engine, built first when it is not there: `fill(folder)` writes its context
    (Dockerfile included) and the build runs at timestamp 0, so the same context is the same id on every machine
    and an image FROM it can be reproducible. For the layers every release shares (Debian, Odoo's source)."""
    import docker

    with _engine_errors(engine):
        try:
            return client.images.get(tag).id
        except docker.errors.ImageNotFound:
            pass
        with tempfile.TemporaryDirectory(prefix="formwork-layer-") as scratch:
            fill(Path(scratch))
            build = _build_podman if _is_podman(client) else _build_docker
            build(client, Path(scratch), tag, "Dockerfile", {}, False, timestamp=0)
            return client.images.get(tag).id


@contextmanager
def _engine_errors(engine: str) -> Iterator[None]:
    """What the engine or its socket raised, as one line naming the engine."""
    import docker

    try:
        yield
    except docker.errors.APIError as exc:
        raise OperationError(f"container engine {engine}: {_one_line(exc.explanation or exc)}") from None
    except docker.errors.DockerException as exc:
        raise OperationError(f"container engine {engine}: {_one_line(exc)}") from None
    except OSError as exc:  # the socket went away, the context could not be read
        raise OperationError(f"container engine {engine}: {_one_line(exc)}") from None


def build_image(
    context: Path,
    repository: str,
    tag: str,
    *,
    client,
    engine: str,
    labels: Mapping[str, str] | None = None,
    dockerfile: str = "Dockerfile",
    no_cache: bool = False,
) -> str:
    """Build `context` with `client` (a docker.DockerClient of the engine named `engine` in messages), push it as
    `repository:tag` ("host[:port]/repo") and return the registry digest."""

    context = Path(context).resolve()
    if not (context / dockerfile).is_file():
        raise InputError(f"build context {context}: no {dockerfile}")
    ref = ImageRef.parse(f"{repository}:{tag}", option="IMAGE")
    if ref.digest:
        raise InputError(f"image {repository}:{tag}: give a repository and a tag, not a digest")
    name = f"{ref.registry}/{ref.repository}"
    image = f"{name}:{ref.tag}"
    all_labels = image_labels(context, labels)

    with _engine_errors(engine):
        build = _build_podman if _is_podman(client) else _build_docker
        build(client, context, image, dockerfile, all_labels, no_cache)
        events = client.api.push(name, tag=ref.tag, stream=True, decode=True)
        _events_error(events, f"push of {image} failed")

    with Registry(ref.registry) as registry:
        return registry.resolve(ref.repository, ref.tag)
