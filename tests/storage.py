"""The private storage under test: the folder (default) or an S3 bucket served by moto in
server mode on loopback, a real S3 API over HTTP that the real boto3 client talks to.

Tests marked `both_storages` run on each; P3DN_TEST_STORAGE=s3 runs every test on a bucket
(`P3DN_TEST_STORAGE=s3 make test PYTEST_ARGS=tests/vendors`)."""

import os
import socket
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

from p3dn_portal.lib.env import private_storage_from_url

KINDS = ("folder", "s3")
REGION = "us-east-1"
# moto accepts any credentials; the portal reads them as it would a real bucket's.
ACCESS_KEY, SECRET_KEY = "p3dn-test-access", "p3dn-test-secret"


def default_kind() -> str:
    kind = os.environ.get("P3DN_TEST_STORAGE", "folder")
    if kind not in KINDS:
        raise ValueError(f"P3DN_TEST_STORAGE must be one of {KINDS}; got {kind!r}.")
    return kind


class S3Server:
    """moto's S3 in a thread of the test process, on a free loopback port."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def new_bucket(self) -> str:
        """A new, empty bucket; returns the STORAGE_URL of a prefix in it."""
        bucket = f"p3dn-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=bucket)
        return f"s3://{bucket}/private?endpoint_url={self.endpoint}&region={REGION}&addressing_style=path"

    def objects(self, url: str) -> dict[str, bytes]:
        """Every object under the URL's prefix, by name below the prefix."""
        bucket, prefix = url[len("s3://") :].split("?")[0].split("/", 1)
        client = self.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                found[item["Key"][len(prefix) + 1 :]] = body.read()
        return found


def private_storage_entry(kind: str, *, folder: Path, server: S3Server | None) -> tuple[dict, dict]:
    """The STORAGES["private"] entry for tests, and the environment that gives a subprocess
    (a `manage.py` command) the same storage: parsed as the settings parse it."""
    if kind == "folder":
        entry = private_storage_from_url("", folder=folder, access_key=None, secret_key=None)
        return entry, {"MEDIA_ROOT": str(folder.parent), "STORAGE_URL": ""}
    url = server.new_bucket()
    entry = private_storage_from_url(
        url, folder=folder, access_key=ACCESS_KEY, secret_key=SECRET_KEY
    )
    return entry, {
        "STORAGE_URL": url,
        "STORAGE_ACCESS_KEY_ID": ACCESS_KEY,
        "STORAGE_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def fresh_storage(kind: str, *, folder: Path, server: S3Server | None):
    """Another empty storage of the same kind (a new folder or bucket), as the environment of
    a subprocess that should use it, and a function reading back every file in it."""
    if kind == "folder":

        def read() -> dict[str, bytes]:
            root = folder / "private"
            return {
                p.relative_to(root).as_posix(): p.read_bytes()
                for p in root.rglob("*")
                if p.is_file()
            }

        return {"MEDIA_ROOT": str(folder), "STORAGE_URL": ""}, read
    url = server.new_bucket()
    env = {
        "STORAGE_URL": url,
        "STORAGE_ACCESS_KEY_ID": ACCESS_KEY,
        "STORAGE_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    return env, lambda: server.objects(url)


def stored_files() -> dict[str, bytes]:
    """Every file in the private storage as the settings name it (the test's folder or
    bucket), by name: listed as the backup lists it, the same on both kinds."""
    from p3dn_portal.lib.backup import _stored_names
    from vendors.uploads import private_storage

    found = {}
    for name in _stored_names(private_storage()):
        with private_storage().open(name, "rb") as handle:
            found[name] = handle.read()
    return found
