"""S3 failures as one line naming the bucket and what was being done, instead of a botocore traceback.

A refused key, a missing bucket or no credentials at all is something the operator
fixes (the bucket name, `formwork store add-s3`), so it reads as an instruction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from formwork.errors import OperationError, S3Denied

DENIED = frozenset(
    {
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "AllAccessDisabled",
        "AccountProblem",
        "403",
        "Forbidden",
    }
)


def code_of(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _cause(exc: BaseException) -> BaseException:
    """boto3's transfer manager wraps a ClientError in S3UploadFailedError (as its context)."""
    while isinstance(exc, Boto3Error) and (exc.__cause__ or exc.__context__):
        exc = exc.__cause__ or exc.__context__
    return exc


def missing_bucket(bucket: str, action: str) -> OperationError:
    return OperationError(
        f"s3://{bucket}: {action} failed: no such bucket (NoSuchBucket): check the URL's bucket name and the endpoint"
    )


def s3_failure(bucket: str, action: str, exc: BaseException) -> OperationError:
    exc = _cause(exc)
    fix = f"formwork store add-s3 {bucket}"
    if isinstance(exc, ClientError) and code_of(exc) == "NoSuchBucket":
        return missing_bucket(bucket, action)
    if isinstance(exc, ClientError) and code_of(exc) in DENIED:
        return S3Denied(
            f"s3://{bucket}: {action} failed: access denied ({code_of(exc)}): check the bucket's keys and policy ({fix})"
        )
    if isinstance(exc, NoCredentialsError):
        reason = f"no credentials (save keys with {fix}, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    elif isinstance(exc, ClientError):
        message = str(exc.response.get("Error", {}).get("Message") or "").strip().splitlines()[:1]
        reason = f"{code_of(exc) or 'error'}" + (f": {message[0]}" if message else "")
    else:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return OperationError(f"s3://{bucket}: {action} failed: {reason}")


@contextmanager
def speaking(bucket: str, action: str) -> Iterator[None]:
    """Turn any boto error inside into the one-line OperationError."""
    try:
        yield
    except (ClientError, BotoCoreError, Boto3Error) as exc:
        raise s3_failure(bucket, action, exc) from None
