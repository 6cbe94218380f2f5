"""A stand-in for a Kubernetes API server: GET of apps/v1 Deployments, each following a GitOps overlay.

Namespace `ns` runs the overlay mapped to it: the Deployment `odoo` names the digest the
overlay pins right now (as if Argo CD synced instantly) and moves to a new generation when
it changes. The first read after a change shows the generation not yet observed; later
reads show the rollout complete, or, for a digest in `broken`, stuck with a Progressing
condition `ProgressDeadlineExceeded` and the old replica still serving. Requests without
the bearer token are refused 401, so a test proves the kubeconfig was used.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from local.gitops_repo import pinned_digest
from local.json_http import JsonHandler, serve

TOKEN = "standin-token"
_PATH = re.compile(r"^/apis/apps/v1/namespaces/([^/]+)/deployments/([^/?]+)")


@dataclass
class _Tracked:
    digest: str | None = None
    generation: int = 1
    reads: int = 0


class KubernetesStandIn:
    def __init__(self, gitops_repo: str, namespaces: dict[str, str]):
        self.gitops_repo, self.namespaces = gitops_repo, namespaces  # namespace -> overlay
        self.broken: set[str] = set()
        self.requests: list[str] = []
        self._tracked = {ns: _Tracked() for ns in namespaces}
        self._lock = threading.Lock()
        standin = self

        class Handler(JsonHandler):
            def do_GET(self):
                standin.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self.send_json(401, _status(401, "Unauthorized", "no or wrong bearer token"))
                found = _PATH.match(self.path)
                if not found or found[1] not in standin.namespaces or found[2] != "odoo":
                    return self.send_json(404, _status(404, "NotFound", f"deployments.apps not found: {self.path}"))
                self.send_json(200, standin.deployment(found[1]))

        self.server, _ = serve(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def kubeconfig(self) -> dict:
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "standin",
            "clusters": [{"name": "standin", "cluster": {"server": self.url}}],
            "users": [{"name": "formwork", "user": {"token": TOKEN}}],
            "contexts": [{"name": "standin", "context": {"cluster": "standin", "user": "formwork"}}],
        }

    def deployment(self, namespace: str) -> dict:
        digest = pinned_digest(self.gitops_repo, self.namespaces[namespace])
        with self._lock:
            tracked = self._tracked[namespace]
            if digest != tracked.digest:
                tracked.digest, tracked.generation, tracked.reads = digest, tracked.generation + 1, 0
            observed = tracked.generation - (1 if tracked.reads == 0 else 0)
            tracked.reads += 1
            generation = tracked.generation
        stuck = digest in self.broken
        condition = (
            {
                "type": "Progressing",
                "status": "False",
                "reason": "ProgressDeadlineExceeded",
                "message": 'ReplicaSet "odoo-7d9f" has timed out progressing.',
            }
            if stuck
            else {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": 'ReplicaSet "odoo-7d9f" has successfully progressed.',
            }
        )
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "odoo", "namespace": namespace, "generation": generation},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "odoo"}},
                "template": {
                    "metadata": {"labels": {"app": "odoo"}},
                    "spec": {
                        "containers": [{"name": "odoo", "image": f"registry.local/odoo@{digest}" if digest else "odoo:17.0"}]
                    },
                },
            },
            "status": {
                "observedGeneration": observed,
                "replicas": 2 if stuck else 1,
                "updatedReplicas": 1,
                "availableReplicas": 1,
                "readyReplicas": 1,
                "conditions": [condition],
            },
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": reason, "code": code}
