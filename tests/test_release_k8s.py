"""The rollout watched through the Kubernetes API with prefect-kubernetes, against a stand-in API server on 127.0.0.1."""

from __future__ import annotations

import uuid

import pytest
from prefect_kubernetes.credentials import KubernetesClusterConfig, KubernetesCredentials

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from formwork.errors import OperationError
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.k8s_rollout import wait_for_deployment
from local.gitops_repo import pinned_digest
from tasks.release import kubernetes_block_name
from tests.support.gitops import make_gitops_repo
from tests.support.kubernetes_standin import KubernetesStandIn
from tests.test_release_promote import build


@pytest.fixture
def cluster_env(prefect_api, registry, tmp_path):
    """An environment whose Odoo runs in namespace odoo-dev of a (stand-in) cluster reached through a kubeconfig block."""
    repo = make_gitops_repo(tmp_path, overlays=("dev",))
    cluster = KubernetesStandIn(repo, {"odoo-dev": "dev"})
    name = f"k8s-{uuid.uuid4().hex[:6]}"
    catalogue.add(
        EnvironmentSpec(
            name,
            "postgresql://odoo@127.0.0.1:5432/odoo_dev",
            k8s_namespace="odoo-dev",
            gitops_repo=repo,
            gitops_overlay="overlays/dev",
            image_repository=f"{registry.host}/odoo/k8s",
        )
    )
    config = KubernetesClusterConfig(config=cluster.kubeconfig(), context_name="standin")
    KubernetesCredentials(cluster_config=config).save(kubernetes_block_name(name), overwrite=True)
    yield name, repo, cluster
    cluster.stop()


def promote(image: str, to: str):
    from flows.promote import promote as promote_flow

    return promote_flow(image=image, to=to, requested_by="bob", rollout_timeout=5)


def test_the_rollout_is_read_from_the_deployment_status(cluster_env, registry):
    name, repo, cluster = cluster_env
    image = build(registry, "k8s-good")
    report = promote(image, name)
    digest = image.split("@")[1]
    assert report.outcome == "done", report.rollout
    assert "deployment/odoo in odoo-dev: 1/1 updated, 1 available, image " + digest[:19] in report.rollout
    deployment_reads = [p for p in cluster.requests if p.startswith("/apis/apps/v1/namespaces/odoo-dev/deployments/odoo")]
    assert len(deployment_reads) >= 2  # the first read showed the new generation not yet observed


def test_a_progress_deadline_exceeded_rolls_back_by_a_second_commit(cluster_env, registry):
    name, repo, cluster = cluster_env
    good, bad = build(registry, "k8s-ok"), build(registry, "k8s-crashloop")
    promote(good, name)
    cluster.broken.add(bad.split("@")[1])
    with pytest.raises(OperationError, match="ProgressDeadlineExceeded.*rolled back to|rolled back to"):
        promote(bad, name)
    assert pinned_digest(repo, "dev") == good.split("@")[1]
    rollback = GitOpsRepo(repo).history("overlays/dev", "odoo", limit=1)[0]
    assert rollback.trailers["Rollback-of"] == bad.split("@")[1]
    assert "ProgressDeadlineExceeded" in rollback.trailers["Reason"] and "timed out progressing" in rollback.trailers["Reason"]


def test_a_refused_credential_is_reported_not_taken_for_a_rollout(cluster_env):
    _, _, cluster = cluster_env
    config = cluster.kubeconfig()
    config["users"][0]["user"]["token"] = "wrong"
    credentials = KubernetesCredentials(cluster_config=KubernetesClusterConfig(config=config, context_name="standin"))
    rolled = wait_for_deployment(credentials, "odoo-dev", "sha256:" + "0" * 64, timeout=0.5, interval=0.2)
    assert not rolled.done and "the cluster answered 401" in rolled.detail, rolled.detail
