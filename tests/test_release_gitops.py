"""GitOps pins against real git repositories: a bare 'remote', private clones, real pushes and races."""

from __future__ import annotations

import hashlib
import sys
import threading
from pathlib import Path

import pytest
import yaml

from formwork.errors import InputError, OperationError
from formwork.release.gitops.credentials import redact
from formwork.release.gitops.kustomization import set_image
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.gitops.trailers import PREVIOUS_DIGEST
from tests.support.gitops import clone, commit_files, git, make_gitops_repo

ROOT = Path(__file__).resolve().parent.parent
NEW_NAME = "127.0.0.1:5000/odoo/prod"
PROD = "overlays/prod"


def digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


A, B, C = digest("a"), digest("b"), digest("c")


@pytest.fixture
def bare(tmp_path) -> str:
    return make_gitops_repo(tmp_path)


def remote_file(bare: str, path: str) -> str:
    """The file as the remote has it on main: what Argo CD / Flux would sync."""
    return git(bare, "show", f"main:{path}")


def remote_head(bare: str) -> str:
    return git(bare, "rev-parse", "main").strip()


def promote(repo: GitOpsRepo, overlay: str, to: str, approver: str = "alice", change: str = "CHG-1") -> str:
    return repo.pin(
        overlay,
        to,
        new_name=NEW_NAME,
        message=f"promote {overlay} to {to}",
        trailers={"Approved-by": approver, "Change": change, "From": "staging", "To": "prod"},
    )


RICH = """\
# prod overlay: synced by Argo CD
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: odoo-prod
resources:
- ../../base
images:
# the Odoo image
- name: odoo
  newName: registry.example/odoo
  newTag: "17.0"
- name: nginx
  newTag: "1.27"

# labels for everything
commonLabels:
  env: prod
patches:
- path: replicas.yaml
"""


def test_pin_writes_digest_drops_newtag_and_keeps_the_rest(bare, tmp_path):
    other = clone(bare, tmp_path / "other")
    commit_files(other, {f"{PROD}/kustomization.yaml": RICH}, "richer prod overlay")
    repo = GitOpsRepo(bare)
    assert repo.current(PROD) is None  # pinned by tag so far

    sha = promote(repo, PROD, A)

    assert sha == remote_head(bare)
    text = remote_file(bare, f"{PROD}/kustomization.yaml")
    data = yaml.safe_load(text)
    assert data["images"] == [{"name": "odoo", "newName": NEW_NAME, "digest": A}, {"name": "nginx", "newTag": "1.27"}]
    expected = yaml.safe_load(RICH)
    expected["images"] = data["images"]
    assert data == expected  # namespace, resources, commonLabels, patches untouched, same key order
    assert list(data) == list(expected)
    assert "# prod overlay: synced by Argo CD" in text and "# labels for everything" in text
    assert 'newTag: "17.0"' not in text
    assert repo.current(PROD) == A
    # only that overlay changed
    assert git(bare, "diff", "--name-only", f"{sha}~1", sha).split() == [f"{PROD}/kustomization.yaml"]
    assert yaml.safe_load(remote_file(bare, "overlays/staging/kustomization.yaml"))["images"][0]["newTag"] == "17.0"


def test_commit_identity_and_trailers_readable_from_history(bare):
    repo = GitOpsRepo(bare, author=("Release Bot", "release@example.test"))
    sha = promote(repo, PROD, A, approver="alice", change="CHG-42")
    promote(repo, "overlays/staging", B)  # another overlay: not in prod's history

    assert (
        git(bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha).strip()
        == "Release Bot <release@example.test>|Release Bot <release@example.test>"
    )
    raw = git(bare, "log", "-1", "--format=%B", sha)
    assert raw.startswith(f"promote {PROD} to {A}\n\n")
    assert "Approved-by: alice\nChange: CHG-42\nFrom: staging\nTo: prod" in raw

    history = repo.history(PROD)
    assert history[0].commit == sha
    assert len(history) == 2  # the pin and the commit that created the overlay
    newest, first = history
    assert newest.digest == A and newest.message == f"promote {PROD} to {A}"
    assert newest.trailers == {"Approved-by": "alice", "Change": "CHG-42", "From": "staging", "To": "prod"}
    assert PREVIOUS_DIGEST not in newest.trailers  # nothing was pinned by digest before
    assert first.digest is None and first.trailers == {} and first.message == "GitOps repository: base and overlays"
    assert len(repo.history(PROD, limit=1)) == 1


def test_second_pin_then_previous_gives_the_first_and_rollback_commits_it(bare):
    repo = GitOpsRepo(bare)
    assert repo.previous(PROD) is None
    promote(repo, PROD, A)
    assert repo.previous(PROD) is None  # only the tag before it
    promote(repo, PROD, B, approver="bob")
    assert repo.current(PROD) == B
    assert repo.previous(PROD) == A
    assert repo.history(PROD)[0].trailers[PREVIOUS_DIGEST] == A

    before = remote_head(bare)
    rollback = repo.pin(
        PROD,
        repo.previous(PROD),
        new_name=NEW_NAME,
        message="roll back prod",
        trailers={"Rollback-of": B, "Reason": "health check failed\non two pods"},
    )
    assert git(bare, "rev-parse", f"{rollback}~1").strip() == before  # a new commit, history not rewritten
    assert repo.current(PROD) == A
    assert repo.previous(PROD) == B
    top = repo.history(PROD)[0]
    assert top.trailers == {"Rollback-of": B, "Reason": "health check failed on two pods", PREVIOUS_DIGEST: B}
    assert [p.digest for p in repo.history(PROD)] == [A, B, A, None]


def test_repinning_the_same_digest_makes_no_commit(bare):
    repo = GitOpsRepo(bare)
    sha = promote(repo, PROD, A)
    count = len(repo.history(PROD))
    assert promote(repo, PROD, A, approver="someone-else") == sha
    assert remote_head(bare) == sha
    assert len(repo.history(PROD)) == count
    # a fresh instance (fresh clone) agrees
    assert promote(GitOpsRepo(bare), PROD, A) == sha


def test_a_pin_approved_over_one_digest_refuses_when_another_is_pinned_meanwhile(bare):
    approved, meanwhile = GitOpsRepo(bare), GitOpsRepo(bare)
    promote(approved, PROD, A)
    promote(meanwhile, PROD, B, approver="bob")  # another clone moved prod while the approval waited
    head = remote_head(bare)
    with pytest.raises(OperationError, match=f"overlays/prod/kustomization.yaml: pins {B}, not {A}"):
        approved.pin(PROD, C, new_name=NEW_NAME, message="promote", trailers={"Approved-by": "alice"}, over=A)
    assert remote_head(bare) == head and approved.current(PROD) == B
    assert approved.pin(PROD, C, new_name=NEW_NAME, message="promote", trailers={"Approved-by": "alice"}, over=B) != head
    assert GitOpsRepo(bare).current(PROD) == C


def test_concurrent_push_between_commit_and_push_is_rebased_and_both_survive(bare, tmp_path):
    other = clone(bare, tmp_path / "other")
    work = tmp_path / "work"
    repo = GitOpsRepo(bare, workdir=work)
    repo.current(PROD)  # the private clone exists now
    marker = tmp_path / "concurrent.sha"
    # A pre-push hook in the private clone: the first time, someone else pushes to the same
    # kustomization (and another overlay) after our commit and before our push reaches the remote.
    hook = work / ".git" / "hooks" / "pre-push"
    hook.write_text(f"""#!{sys.executable}
import sys
from pathlib import Path
sys.stdin.read()
sys.path.insert(0, {str(ROOT)!r})
from tests.support.gitops import commit_files, git
marker, other = Path({str(marker)!r}), Path({str(other)!r})
if not marker.exists():
    git(other, "pull", "--quiet", "--ff-only")
    prod = (other / {PROD + "/kustomization.yaml"!r}).read_text() + "namespace: odoo-prod\\n"
    sha = commit_files(other, {{{PROD + "/kustomization.yaml"!r}: prod, "overlays/staging/NOTES": "hello\\n"}}, "someone else")
    marker.write_text(sha)
""")
    hook.chmod(0o755)

    sha = promote(repo, PROD, A)

    concurrent = marker.read_text().strip()
    assert sha == remote_head(bare)
    assert git(bare, "rev-parse", f"{sha}~1").strip() == concurrent  # re-applied on their commit
    data = yaml.safe_load(remote_file(bare, f"{PROD}/kustomization.yaml"))
    assert data["namespace"] == "odoo-prod"  # their change
    assert data["images"] == [{"name": "odoo", "newName": NEW_NAME, "digest": A}]  # ours
    assert remote_file(bare, "overlays/staging/NOTES") == "hello\n"
    assert git(bare, "log", "--format=%s", "main").splitlines()[:2] == [f"promote {PROD} to {A}", "someone else"]


def test_parallel_promotions_from_separate_clones_all_land(bare):
    overlays = ["overlays/dev", "overlays/test", "overlays/staging", "overlays/prod"]
    start = threading.Barrier(len(overlays))
    errors: list[BaseException] = []

    def run(overlay: str) -> None:
        repo = GitOpsRepo(bare)
        repo.current(overlay)
        start.wait()
        try:
            promote(repo, overlay, digest(overlay))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(o,)) for o in overlays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    check = GitOpsRepo(bare)
    assert {o: check.current(o) for o in overlays} == {o: digest(o) for o in overlays}
    assert len(git(bare, "rev-list", "main").split()) == 1 + len(overlays)  # linear: no lost or merged commit


def test_missing_overlay_names_the_repository_and_path(bare, tmp_path):
    repo = GitOpsRepo(bare)
    with pytest.raises(InputError) as missing:
        repo.current("overlays/qa")
    message = str(missing.value)
    assert message == f"{bare}: overlays/qa/kustomization.yaml not found on branch main"
    with pytest.raises(InputError, match="overlays/qa"):
        promote(repo, "overlays/qa", A)

    other = clone(bare, tmp_path / "other")
    commit_files(other, {"overlays/empty/README": "nothing here\n"}, "folder without kustomization")
    with pytest.raises(InputError, match="overlays/empty/kustomization.yaml"):
        repo.history("overlays/empty")
    with pytest.raises(InputError, match="not an overlay folder"):
        repo.current("../outside")
    assert remote_head(bare) == git(other, "rev-parse", "HEAD").strip()  # nothing was pushed


def test_bad_input_is_refused_before_any_change(bare):
    repo = GitOpsRepo(bare)
    head = remote_head(bare)
    with pytest.raises(InputError, match="not an image digest"):
        promote(repo, PROD, "sha256:abc")
    with pytest.raises(InputError, match="trailer key"):
        repo.pin(PROD, A, new_name=NEW_NAME, message="x", trailers={"Approved by": "alice"})
    assert remote_head(bare) == head


def test_git_failures_are_operation_errors_with_credentials_redacted():
    url = "https://user:secret@127.0.0.1:1/x.git"
    repo = GitOpsRepo(url)
    assert "secret" not in repr(repo)
    for call in (lambda: repo.current(PROD), lambda: promote(repo, PROD, A)):
        with pytest.raises(OperationError) as failed:
            call()
        message = str(failed.value)
        assert "secret" not in message and "user:" not in message
        assert "127.0.0.1:1" in message and "\n" not in message


def test_unknown_branch_is_an_operation_error(bare):
    with pytest.raises(OperationError, match="git fetch failed: .*release"):
        GitOpsRepo(bare, branch="release").current(PROD)


def test_redact():
    assert redact("fatal: https://user:s3cr%40t@git.example/r.git") == "fatal: https://***@git.example/r.git"
    assert redact("https://ghp_token@github.com/o/r") == "https://***@github.com/o/r"
    assert redact("ssh://git@github.com/o/r") == "ssh://git@github.com/o/r"
    assert redact("/srv/gitops.git") == "/srv/gitops.git"


@pytest.mark.parametrize(
    "before, after",
    [
        (
            "resources: [../../base]\nimages: [{name: odoo, newName: r/odoo, newTag: '17.0'}]\nnamespace: x\n",
            {"resources": ["../../base"], "images": [{"name": "odoo", "newName": NEW_NAME, "digest": A}], "namespace": "x"},
        ),
        (
            "resources:\n  - ../../base\n",
            {"resources": ["../../base"], "images": [{"name": "odoo", "newName": NEW_NAME, "digest": A}]},
        ),
        (
            "images:\n  - name: odoo\n    digest: " + B + "\n  - name: odoo\n    newTag: dup\n",
            {"images": [{"name": "odoo", "newName": NEW_NAME, "digest": A}]},
        ),
    ],
)
def test_set_image_shapes(before, after):
    text = set_image(before, image="odoo", new_name=NEW_NAME, digest=A, where="test")
    assert yaml.safe_load(text) == after
    assert set_image(text, image="odoo", new_name=NEW_NAME, digest=A, where="test") is None
