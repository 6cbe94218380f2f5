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
