"""Who may approve what in a release: the separation of duties every promotion and release rollback applies.

Production, and any emergency override of a release freeze, waits for an approver who is not the person who
asked; production also needs a change reference; an override stands only with a reason and a second approver
who is neither the first nor the requester; a release that changes the database schema needs a database-change
approver who is not the requester. The names themselves are compared as formwork.approvers compares them.
"""

from __future__ import annotations

from dataclasses import dataclass

from formwork.approvers import check_approver, check_second_approver
from formwork.errors import InputError


@dataclass(frozen=True)
class ReleasePolicy:
    what: str  # "promote to prod", "roll back prod": how each refusal begins
    production: bool
    requested_by: str

    def needs_approval(self, overriding: str | None = None) -> bool:
        """Production, or the emergency override of the freeze `overriding`, waits for an approver."""
        return self.production or overriding is not None

    def approver(self, name: str | None, change_reference: str) -> str:
        """The approver, trimmed ("" when none was needed nor given): never the requester; production also
        needs a change reference."""
        approver = check_approver(name, self.requested_by, self.what) if name is not None else ""
        if self.production and not change_reference:
            raise InputError(f"{self.what}: a production release needs a change reference")
        return approver

    def second_approver(self, name: str, first: str) -> str:
        """The second approver of an emergency override: neither the first approver nor the requester."""
        return check_second_approver(name, first, self.requested_by, self.what)

    def database_approver(self, name: str) -> str:
        """Who approves a release's database change (Odoo migrates the schema): never the requester."""
        return check_approver(name, self.requested_by, self.what, "database-change approver")

    @staticmethod
    def override(freeze: str, first: str, second: str, reason: str) -> str:
        """What the report and the commit say of the release window once an override stands."""
        return f"EMERGENCY OVERRIDE of {freeze} by {first} and {second}: {reason}"
