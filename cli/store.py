"""`formwork store`: connection settings for S3-compatible buckets."""

from __future__ import annotations

import click
from pydantic import SecretStr

from blocks.s3_store import S3Store
from blocks.stores import s3_block_name
from formwork.errors import InputError
from formwork.locations import parse_location


@click.group()
def store() -> None:
    """Save the endpoint and credentials used for s3:// URLs."""


@store.command("add-s3")
@click.argument("bucket")
@click.option("--endpoint-url", help="Service URL for non-AWS storage, e.g. https://minio.internal:9000.")
@click.option("--region", help="Bucket region.")
@click.option("--access-key-id", envvar="AWS_ACCESS_KEY_ID", help="Defaults to $AWS_ACCESS_KEY_ID.")
@click.option(
    "--secret-access-key",
    envvar="AWS_SECRET_ACCESS_KEY",
    help="Defaults to $AWS_SECRET_ACCESS_KEY (prefer the variable: arguments show in ps).",
)
def add_s3(bucket: str, endpoint_url, region, access_key_id, secret_access_key) -> None:
    """Use these settings for every s3://BUCKET/... URL (credentials kept as secrets)."""
    parse_location(f"s3://{bucket}", option="BUCKET")
    if bool(access_key_id) != bool(secret_access_key):
        raise InputError("--access-key-id and --secret-access-key: give both or neither")
    if endpoint_url and not endpoint_url.startswith(("http://", "https://")):
        raise InputError(f"--endpoint-url '{endpoint_url}': expected an http:// or https:// URL")
    block = S3Store(
        bucket=bucket,
        endpoint_url=endpoint_url,
        region=region,
        access_key_id=SecretStr(access_key_id) if access_key_id else None,
        secret_access_key=SecretStr(secret_access_key) if secret_access_key else None,
    )
    block.save(s3_block_name(bucket), overwrite=True)
    click.echo(f"saved S3 settings for s3://{bucket} as block '{s3_block_name(bucket)}'")
