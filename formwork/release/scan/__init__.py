"""Vulnerability scanning of an image's SBOM, and the release policy on the findings.

Scanners share one small interface (`finding.Scanner`): Trivy or Grype when the binary is installed,
otherwise `osv.OsvDirectoryScanner`, which matches the SBOM components against a directory of
OSV-format advisories (no vulnerability database is reachable from the estate). The policy
(`verdict.evaluate`) blocks CRITICAL and HIGH findings unless a waiver (owner, reason, expiry)
covers them; an expired waiver waives nothing and is reported so somebody renews or drops it.
"""
