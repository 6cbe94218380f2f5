"""A server-wide module of Formwork-built images (loaded with --load, never installed in a database).

Whoever starts the server says which image digest it runs in FORMWORK_IMAGE_DIGEST; version_info then
answers it as `image_digest`, so a rollout check knows the new image answers, not an old container.
"""

import os

from odoo.service import common

_version = common.exp_version


def exp_version():
    digest = os.environ.get("FORMWORK_IMAGE_DIGEST")
    return {**_version(), "image_digest": digest} if digest else _version()


common.exp_version = exp_version
