"""Errors the command line turns into one line on stderr.

`InputError` means the user gave us something we refuse before changing anything
(exit 2); `OperationError` means a step failed while running (exit 1).
Messages must never carry a secret: callers pass redacted values.
"""


class FormworkError(Exception):
    exit_code = 1


class InputError(FormworkError):
    exit_code = 2


class OperationError(FormworkError):
    exit_code = 1


class S3Denied(OperationError):
    """The service refused the keys or the policy refused the action (object lock, bucket policy). Here, not
    beside boto3's errors, so that what only tells it apart (the backup catalogue) does not import boto3."""


def first_line(exc: BaseException, default: str | None = None) -> str:
    """What a one-line message quotes of another error: the first line of its text (libraries such as psycopg
    and git put details below it), else `default`, else the error's type."""
    text = str(exc).strip()
    if text:
        return text.splitlines()[0].strip()
    return type(exc).__name__ if default is None else default


def last_line(output: str, default: str) -> str:
    """The last line a failed program printed (its error, after any progress), else `default`."""
    return (output.strip().splitlines() or [default])[-1]
