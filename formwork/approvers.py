"""Who may approve a change, whoever answered and however the answer came (form, API, shell); which
approvals a release needs is formwork.release.policy.

Names are compared trimmed and case-insensitively, so ' Alice ' and 'alice' are one person: an
approver is never the person who asked, and the second approver of an emergency override is
neither the first approver nor the person who asked.
"""

from __future__ import annotations

from formwork.errors import InputError


def same_person(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def check_approver(name: str, requested_by: str, what: str, role: str = "approver") -> str:
    """The approver's name, trimmed; refused when blank or when it is the requester's."""
    if not _key(name):
        raise InputError(f"{what}: the {role} must be named")
    if _key(requested_by) and same_person(name, requested_by):
        raise InputError(f"{what}: the {role} ({name.strip()}) must not be the person who asked for the release")
    return name.strip()


def check_second_approver(second: str, first: str, requested_by: str, what: str) -> str:
    """The second approver of an emergency override, trimmed: neither the first approver nor the requester."""
    second = check_approver(second, requested_by, what, "second approver")
    if same_person(second, first):
        raise InputError(
            f"{what}: an emergency override needs two different approvers; the second approver ({second}) "
            f"is the first ({first.strip()})"
        )
    return second


def recorded(name: str, os_user: str | None) -> str:
    """How an approval reads in reports: one typed on a shell names the OS user who typed it."""
    return (
        f"approved on the command line by {name} (OS user {os_user})"
        if os_user
        else f"approved by {name} through the approval form"
    )


def _key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()
