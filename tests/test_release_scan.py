"""SBOM by syft from a real registry, OSV-directory matching, waiver policy, Odoo addons checks."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from formwork.errors import OperationError
from formwork.release.addons import check_addons, module_versions
from formwork.release.sbom import Component, ecosystem_of, sbom, syft_binary
from formwork.release.scan.finding import Finding
from formwork.release.scan.osv import OsvDirectoryScanner
from formwork.release.scan.scanners import choose_scanner
from formwork.release.scan.severity import cvss3_base_score
from formwork.release.scan.verdict import evaluate
from formwork.release.scan.versions import debian_compare
from formwork.release.scan.waivers import load_waivers
from formwork.rulefile import RulesError
from tests.support.registry import push_image_with_files, python_dist_info

TODAY = date(2025, 6, 1)
REQUESTS = Component("requests", "2.19.0", "PyPI", "pkg:pypi/requests@2.19.0")
OPENSSL = Component(
    "libssl3",
    "3.0.11-1~deb12u2",
    "Debian",
    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
)


def advisory(identifier: str, ecosystem: str, name: str, events: list[dict], severity: str | None = "HIGH", **extra) -> dict:
    document = {
        "id": identifier,
        "summary": f"{name} is vulnerable",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "ranges": [{"type": "ECOSYSTEM", "events": events}]}],
    }
    if severity:
        document["database_specific"] = {"severity": severity}
    document.update(extra)
    return document


@pytest.fixture
def advisories(tmp_path: Path) -> Path:
    folder = tmp_path / "advisories"
    (folder / "pypi").mkdir(parents=True)
    (folder / "debian").mkdir()
    (folder / "pypi" / "GHSA-x84v-xcm2-53pg.json").write_text(
        json.dumps(
            advisory(
                "GHSA-x84v-xcm2-53pg",
                "PyPI",
                "Requests",
                [{"introduced": "0"}, {"fixed": "2.20.0"}],
                aliases=["CVE-2018-18074"],
            )
        )
    )
    (folder / "pypi" / "PYSEC-old.json").write_text(
        json.dumps(
            advisory(
                "PYSEC-2014-old",
                "PyPI",
                "requests",
                [{"introduced": "0"}, {"fixed": "2.3.0"}],
                severity="CRITICAL",
            )
        )
    )
    (folder / "pypi" / "medium.json").write_text(
        json.dumps(
            advisory(
                "GHSA-medium",
                "PyPI",
                "requests",
                [{"introduced": "2.0"}, {"last_affected": "2.19.0"}],
                severity="MODERATE",
            )
        )
    )
    dsa = advisory("DSA-5532-1", "Debian:12", "openssl", [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u3"}], severity=None)
    dsa["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
    (folder / "debian" / "DSA.json").write_text(json.dumps(dsa))
    (folder / "debian" / "other-release.json").write_text(
        json.dumps(
            advisory(
                "DSA-bookworm-not",
                "Debian:11",
                "openssl",
                [{"introduced": "0"}, {"fixed": "9.9"}],
            )
        )
    )
    return folder


def waivers_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    return path


# --- SBOM ------------------------------------------------------------------------------------------------------


def test_sbom_of_a_registry_image_lists_python_and_debian_packages(registry, tmp_path: Path, advisories: Path):
    try:
        syft_binary()
    except OperationError as exc:
        pytest.skip(f"syft cannot run here: {exc}")
    files = python_dist_info("requests", "2.19.0", site_packages="opt/venv/lib/python3.11/site-packages")
    files["var/lib/dpkg/status"] = (
        b"Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n"
        b"Architecture: amd64\nDescription: ssl\n\n"
    )
    files["etc/os-release"] = b'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n'
    push_image_with_files(registry.host, "odoo/scan", "1", files)

    out = tmp_path / "artifacts" / "sbom.cdx.json"
    components = sbom(f"{registry.host}/odoo/scan:1", out)

    assert json.loads(out.read_text())["bomFormat"] == "CycloneDX"
    by_name = {c.name: c for c in components}
    assert by_name["requests"].version == "2.19.0" and by_name["requests"].ecosystem == "PyPI"
    assert by_name["requests"].purl.startswith("pkg:pypi/requests@2.19.0")
    assert by_name["libssl3"].ecosystem == "Debian" and by_name["libssl3"].qualifiers["upstream"].startswith("openssl")

    findings = OsvDirectoryScanner(advisories).scan("image", components)
    assert {(f.id, f.package) for f in findings} == {
        ("GHSA-x84v-xcm2-53pg", "requests"),
        ("GHSA-medium", "requests"),
        ("DSA-5532-1", "libssl3"),
    }


def test_sbom_of_a_missing_image_is_one_line(registry, tmp_path: Path):
    try:
        syft_binary()
    except OperationError as exc:
        pytest.skip(f"syft cannot run here: {exc}")
    with pytest.raises(OperationError, match=r"syft scan of .*/odoo/absent:1 failed: exit \d+: ") as caught:
        sbom(f"{registry.host}/odoo/absent:1", tmp_path / "sbom.json")
    assert "\n" not in str(caught.value)


def test_ecosystems_from_purls():
    assert ecosystem_of("pkg:pypi/requests@2.19.0") == "PyPI"
    assert ecosystem_of("pkg:deb/debian/libc6@2.36-9?distro=debian-12") == "Debian"
    assert ecosystem_of("pkg:npm/%40babel/core@7.0.0") == "npm"
    assert ecosystem_of("pkg:golang/github.com/x/y@v1.0.0") == "Go"


# --- matching --------------------------------------------------------------------------------------------------


def test_osv_directory_matches_ranges_and_severities(advisories: Path):
    findings = {f.id: f for f in OsvDirectoryScanner(advisories).scan("image", [REQUESTS, OPENSSL])}
    assert set(findings) == {"GHSA-x84v-xcm2-53pg", "GHSA-medium", "DSA-5532-1"}
    high = findings["GHSA-x84v-xcm2-53pg"]
    assert (high.severity, high.fixed_in, high.package, high.version) == ("HIGH", "2.20.0", "requests", "2.19.0")
    assert high.aliases == ("CVE-2018-18074",)
    assert findings["GHSA-medium"].severity == "MEDIUM" and findings["GHSA-medium"].fixed_in is None
    assert findings["DSA-5532-1"].severity == "CRITICAL"  # CVSS 9.8 from the vector
    assert findings["DSA-5532-1"].fixed_in == "3.0.11-1~deb12u3"


def test_versions_outside_the_range_are_not_findings(advisories: Path):
    fixed = [
        Component("requests", "2.20.0", "PyPI", "pkg:pypi/requests@2.20.0"),
        Component(
            "libssl3", "3.0.11-1~deb12u3", "Debian", "pkg:deb/debian/libssl3@3.0.11-1~deb12u3?distro=debian-12&upstream=openssl"
        ),
    ]
    assert OsvDirectoryScanner(advisories).scan("image", fixed) == []
    other = Component("urllib3", "1.0", "PyPI", "pkg:pypi/urllib3@1.0")
    assert OsvDirectoryScanner(advisories).scan("image", [other]) == []


def test_a_version_the_ordering_cannot_read_is_treated_as_affected(advisories: Path):
    """Fail closed: an installed version (or a range bound) no ordering can place is no proof of safety."""
    odd = Component("requests", "2.19.0+local build", "PyPI", "pkg:pypi/requests@2.19.0%2Blocal%20build")
    findings = {f.id: f for f in OsvDirectoryScanner(advisories).scan("image", [odd])}
    assert set(findings) == {"GHSA-x84v-xcm2-53pg", "PYSEC-2014-old", "GHSA-medium"}
    assert findings["PYSEC-2014-old"].severity == "CRITICAL"
    assert (
        "cannot be ordered" in findings["PYSEC-2014-old"].summary and "2.19.0+local build" in findings["PYSEC-2014-old"].summary
    )
    assert evaluate(list(findings.values()), [], TODAY).blocked


def test_explicit_versions_list_and_pypi_name_normalisation(tmp_path: Path):
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "id": "OSV-1",
                "affected": [{"package": {"ecosystem": "PyPI", "name": "Zope.Interface"}, "versions": ["5.0"]}],
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}],
            }
        )
    )
    component = Component("zope-interface", "5.0", "PyPI", "pkg:pypi/zope-interface@5.0")
    [finding] = OsvDirectoryScanner(tmp_path).scan("image", [component])
    assert finding.severity == "LOW"
    assert OsvDirectoryScanner(tmp_path).scan("image", [Component("zope-interface", "5.1", "PyPI", "")]) == []


def test_broken_advisory_file_is_named(tmp_path: Path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(Exception, match="bad.json: not JSON"):
        OsvDirectoryScanner(tmp_path)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0", 0),
        ("1.0-1", "1.0-2", -1),
        ("1.0~rc1", "1.0", -1),
        ("1.0", "1.0+b1", -1),
        ("1:0.9", "2.0", 1),
        ("2.36-9+deb12u3", "2.36-9+deb12u10", -1),
        ("3.0.11-1~deb12u2", "3.0.11-1~deb12u3", -1),
        ("3.0.11-1~deb12u2", "3.0.11-1", -1),
        ("1.2a", "1.2", 1),
        ("1.002", "1.2", 0),
        ("0:1.0", "1.0", 0),
        ("1.0-1", "1.0", 1),
        ("7.6p2-4", "7.6-0", 1),
        ("1.0.1", "1.0a", 1),  # '.' sorts after letters
        ("1.0a", "1.0+", -1),
    ],
)
def test_debian_version_comparison(a: str, b: str, expected: int):
    assert debian_compare(a, b) == expected
    assert debian_compare(b, a) == -expected
    if shutil.which("dpkg"):  # and dpkg itself agrees
        relation = {-1: "lt", 0: "eq", 1: "gt"}[expected]
        assert subprocess.run(["dpkg", "--compare-versions", a, relation, b], check=False).returncode == 0


def test_cvss3_scores():
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1
    assert cvss3_base_score("CVSS:3.1/AV:N") is None


def test_choose_scanner_falls_back_to_the_advisory_directory(advisories: Path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    scanner = choose_scanner(advisories)
    assert isinstance(scanner, OsvDirectoryScanner) and scanner.name == "osv-directory"


# --- policy ----------------------------------------------------------------------------------------------------


def high_finding() -> Finding:
    return Finding("GHSA-x84v-xcm2-53pg", "requests", "2.19.0", "HIGH", "2.20.0", "leaks auth", ("CVE-2018-18074",))


def test_high_finding_without_waiver_blocks():
    low = Finding("GHSA-low", "requests", "2.19.0", "LOW", None, "minor")
    verdict = evaluate([high_finding(), low], [], TODAY)
    assert verdict.blocked == [high_finding()] and verdict.allowed == [low] and not verdict.passed
    text = verdict.markdown()
    assert text.startswith("# Vulnerability scan: BLOCKED") and "GHSA-x84v-xcm2-53pg" in text and "2.20.0" in text


def test_waiver_with_future_expiry_waives(tmp_path: Path):
    path = waivers_file(
        tmp_path,
        (
            "waivers:\n"
            "  - id: CVE-2018-18074\n"
            "    package: requests\n"
            "    owner: alice@example.com\n"
            "    reason: proxies never redirect to http here\n"
            "    expires: 2025-06-01\n"
        ),
    )
    [waiver] = load_waivers(path)
    assert waiver.expires == date(2025, 6, 1) and waiver.origin == f"{path}:2"
    verdict = evaluate([high_finding()], [waiver], TODAY)  # valid through its expiry day
    assert verdict.passed and verdict.waived == [(high_finding(), waiver)] and verdict.expired_waivers == []
    assert "alice@example.com" in verdict.markdown() and "PASSED" in verdict.markdown()


def test_expired_waiver_blocks_and_is_reported(tmp_path: Path):
    path = waivers_file(
        tmp_path,
        (
            "waivers:\n"
            "  - {id: GHSA-x84v-xcm2-53pg, owner: bob, reason: upgrade planned, expires: 2025-05-31}\n"
            "  - {id: GHSA-x84v-xcm2-53pg, package: urllib3, owner: carol, reason: other package, expires: 2026-01-01}\n"
        ),
    )
    expired, other = load_waivers(path)
    verdict = evaluate([high_finding()], [expired, other], TODAY)
    assert verdict.blocked == [high_finding()] and verdict.waived == []
    assert verdict.expired_waivers == [expired]
    text = verdict.markdown()
    assert "Expired waivers" in text and "bob" in text and "2025-05-31" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("waivers:\n  - id: X\n    owner: a\n    reason: r\n", r"waivers\.yaml:2: waivers\[0\]: missing 'expires'"),
        (
            "waivers:\n  - id: X\n    owner: a\n    reason: r\n    expires: next week\n",
            r"waivers\.yaml:5: waivers\[0\]\.expires: 'next week' is not a date",
        ),
        (
            "waivers:\n  - id: X\n    owner: a\n    reason: r\n    expires: 2025-01-01\n    ownr: b\n",
            r"waivers\.yaml:6: waivers\[0\]\.ownr: unknown key",
        ),
        (
            "waivers:\n  - id: X\n    owner: ''\n    reason: r\n    expires: 2025-01-01\n",
            r"waivers\.yaml:3: waivers\[0\]\.owner: must be a non-empty string",
        ),
        ("waivers: {id: X}\n", r"waivers\.yaml:1: waivers: must be a list"),
        ("waivers:\n  - id: [\n", r"waivers\.yaml:\d+: YAML syntax error"),
        ("waiver: []\n", r"waivers\.yaml:1: waiver: unknown key"),
    ],
)
def test_waiver_file_errors_name_file_line_and_key(tmp_path: Path, text: str, message: str):
    with pytest.raises(RulesError, match=message) as caught:
        load_waivers(waivers_file(tmp_path, text))
    assert "\n" not in str(caught.value)


def test_empty_waiver_file_is_no_waivers(tmp_path: Path):
    assert load_waivers(waivers_file(tmp_path, "waivers:\n")) == []


# --- addons ----------------------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def manifest(version: str) -> str:
    return f"{{\n    'name': 'X',\n    'version': '{version}',\n    'depends': ['base'],\n}}\n"


@pytest.fixture
def addons_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "addons"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    base = commit(
        repo,
        {
            "sale_extra/__manifest__.py": manifest("17.0.1.0.0"),
            "sale_extra/models/sale.py": "x = 1\n",
            "sale_extra/README.md": "hello\n",
            "stock_extra/__manifest__.py": manifest("17.0.1.0.0"),
            "stock_extra/views/stock.xml": "<odoo/>\n",
            "stock_extra/static/src/app.js": "1;\n",
        },
        "base",
    )
    return repo, base


def test_changed_model_without_bump_is_a_problem(addons_repo):
    repo, base = addons_repo
    commit(repo, {"sale_extra/models/sale.py": "x = 2\n", "stock_extra/static/src/app.js": "2;\n"}, "change")
    [problem] = check_addons(repo, base)
    assert problem.startswith("sale_extra: sale_extra/models/sale.py changed but the version stayed at 17.0.1.0.0")


def test_bumped_version_and_non_data_changes_are_fine(addons_repo):
    repo, base = addons_repo
    commit(
        repo,
        {
            "sale_extra/models/sale.py": "x = 2\n",
            "sale_extra/__manifest__.py": manifest("17.0.1.0.1"),
            "stock_extra/static/src/app.js": "2;\n",
            "sale_extra/README.md": "bye\n",
            "new_module/__manifest__.py": manifest("17.0.1.0.0"),
            "new_module/data/x.xml": "<odoo/>\n",
        },
        "change",
    )
    assert check_addons(repo, base) == []
    assert module_versions(repo, "HEAD") == {"new_module": "17.0.1.0.0", "sale_extra": "17.0.1.0.1", "stock_extra": "17.0.1.0.0"}
    assert module_versions(repo, base)["sale_extra"] == "17.0.1.0.0"


def test_version_going_back_is_a_problem(addons_repo):
    repo, base = addons_repo
    commit(repo, {"stock_extra/views/stock.xml": "<odoo></odoo>\n", "stock_extra/__manifest__.py": manifest("17.0.0.9")}, "c")
    [problem] = check_addons(repo, base)
    assert "stock_extra/views/stock.xml" in problem and "went back" in problem and "(was 17.0.1.0.0)" in problem


def test_broken_manifest_is_named(addons_repo):
    repo, base = addons_repo
    commit(repo, {"stock_extra/__manifest__.py": "{\n    'name': 'X',\n    'version': '17.0.1.0.1'\n    'depends': [\n"}, "c")
    problems = check_addons(repo, None)
    assert len(problems) == 1 and problems[0].startswith("stock_extra/__manifest__.py:")
    assert "does not parse" in problems[0]
    commit(repo, {"sale_extra/__manifest__.py": "{'name': 'X'}\n"}, "c2")
    assert "sale_extra/__manifest__.py: no 'version'" in check_addons(repo, base)
