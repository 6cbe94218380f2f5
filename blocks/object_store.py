"""The Prefect block base of the object stores: saved configuration that is itself a `formwork.stores` store.

The interface, its errors and key checks live in the library (`formwork.stores.object_store`); they are
re-exported here for the blocks and flows that name them.
"""

from __future__ import annotations

from prefect.blocks.core import Block

from formwork.stores import object_store as plain
from formwork.stores.object_store import ObjectInfo, ObjectNotFound, ProgressCallback, UnsafeKey, refusals, safe_key

__all__ = ["ObjectInfo", "ObjectNotFound", "ObjectStore", "ProgressCallback", "UnsafeKey", "refusals", "safe_key"]


class ObjectStore(Block, plain.ObjectStore):
    """Abstract base of the store blocks: a flat namespace of immutable-once-written objects."""
