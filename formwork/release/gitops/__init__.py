"""GitOps: pin an image by digest in a Kustomize overlay, in a private clone; see `repository`."""
