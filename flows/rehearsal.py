"""Rehearse a production release's migration before it runs for real.

The runbook: the checkpoint taken moments ago is restored on the scratch server (never production's: the
drill's scratch server, checked the same way), the new image's `odoo-bin -u` runs on it and is timed, and the
copy is dropped, whatever happened. The rehearsal thus runs on production as it is now, so its durations are a
measured forecast: the upgrade's, and the restore's, which is what putting the checkpoint back would take should
the real migration fail. The promotion compares their sum with what is left of the release window.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from prefect import flow
from prefect.utilities.annotations import quote

from blocks import catalogue
from formwork.backup import catalog, scratch_server
from formwork.errors import OperationError
from tasks.backup import backup_store
from tasks.drill import clean_up_drills, drop_scratch, fetch_database, restore_scratch
from tasks.migration import open_to_odoo, upgrade_database


@dataclass(frozen=True)
class Rehearsal:
    ok: bool
    upgrade_seconds: float
    restore_seconds: float
    log: str  # where the log is, and the lines of it a person reads first

    @property
    def needed(self) -> float:
        """What the real migration needs of the window: the upgrade, and the restore should it fail."""
        return self.upgrade_seconds + self.restore_seconds

    def summary(self) -> str:
        return (
            f"rehearsed on the checkpoint restored on the scratch server: upgrade {'done' if self.ok else 'FAILED'} "
            f"in {self.upgrade_seconds:.1f} s, restore {self.restore_seconds:.1f} s"
        )


@flow(name="rehearse_migration", flow_run_name="rehearse-{environment}", log_prints=True)
def rehearse_migration(environment: str, image: str, modules: list[str], checkpoint: str) -> Rehearsal:
    env = catalogue.load(environment)
    store = backup_store(environment, env)
    server = scratch_server.choose(environment, env, None)
    manifest = catalog.read(store, environment).find(checkpoint, store.url())
    scratch_server.check(environment, env, server, manifest)  # before anything is written
    _, scratch = clean_up_drills(server, env.db_name, uuid.uuid4().hex[:8])
    with tempfile.TemporaryDirectory(prefix="formwork-rehearsal-") as files:
        problems = fetch_database(store, quote(manifest), Path(files))
        if problems:
            raise OperationError(f"checkpoint {checkpoint} cannot be rehearsed on: {'; '.join(problems[:3])}")
        try:
            started = time.monotonic()
            restore_scratch(environment, env, server, scratch, Path(files), quote(manifest))
            restored = time.monotonic() - started
            open_to_odoo(server, scratch)
            done, log = upgrade_database(server, scratch, image, modules)
        finally:
            drop_scratch(server, scratch)
    return Rehearsal(done.ok, done.seconds, restored, f"{log}:\n{done.excerpt}")
