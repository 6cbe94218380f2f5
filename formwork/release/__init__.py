"""Build, scan and promote: one image by digest through GitOps."""
