"""Private uploads in an S3-compatible bucket (STORAGE_URL): what the settings accept, that
objects stay private, and that another web machine (another process, no shared disk) serves
what one of them stored."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from p3dn_portal.lib.env import STORAGE_URL_INVALID, private_storage_from_url
from tests import factories
from tests.factories import PDF_BYTES
from vendors.uploads import PRIVATE_FILE_URL, private_storage

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_storage_url_keeps_the_private_folder(tmp_path):
    entry = private_storage_from_url("", folder=tmp_path, access_key=None, secret_key=None)
    assert entry == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path, "base_url": None},
    }


def test_a_storage_url_names_the_bucket_its_prefix_and_endpoint(tmp_path):
    entry = private_storage_from_url(
        "s3://p3dn-uploads/portal/private?endpoint_url=https://minio.internal:9000"
        "&region=id-jakarta-1&addressing_style=path",
        folder=tmp_path,
        access_key="AK",
        secret_key="SK",
    )
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    options = entry["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("p3dn-uploads", "portal/private")
    assert options["endpoint_url"] == "https://minio.internal:9000"
    assert (options["region_name"], options["addressing_style"]) == ("id-jakarta-1", "path")
    assert (options["access_key"], options["secret_key"]) == ("AK", "SK")
    # Private objects, never overwritten, links (if ever made) signed and short-lived.
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert (options["querystring_auth"], options["querystring_expire"]) == (True, 300)


@pytest.mark.parametrize(
    "url",
    ["http://bucket/x", "s3://", "s3:///prefix", "s3://bucket?endpoint=https://x", "/var/media"],
)
def test_a_storage_url_it_does_not_understand_stops_the_start(url, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL") as error:
        private_storage_from_url(url, folder=tmp_path, access_key=None, secret_key=None)
    assert str(error.value) == STORAGE_URL_INVALID.format(url=url)


@pytest.fixture
def on_s3(private_storage_env):
    """The test's own bucket (the tests below ask for the s3 kind), as a subprocess gets it."""
    assert private_storage_env["STORAGE_URL"].startswith("s3://")
    return private_storage_env


@pytest.mark.parametrize("private_storage_kind", ["s3"], indirect=True)
def test_an_upload_lands_in_the_bucket_under_its_prefix_and_not_on_disk(
    on_s3, s3_server, login, vendor_owner, settings
):
    certificate = factories.TKDNCertificateFactory(vendor=vendor_owner.vendor_membership.vendor)
    objects = s3_server.objects(on_s3["STORAGE_URL"])
    assert objects == {certificate.file.name: PDF_BYTES}
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))
    response = login(vendor_owner).get(
        reverse("vendors:certificate-file", args=["tkdn", certificate.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("private_storage_kind", ["s3"], indirect=True)
def test_objects_in_the_bucket_are_private_and_have_no_url(on_s3, s3_server, db):
    certificate = factories.TKDNCertificateFactory()
    bucket, prefix = on_s3["STORAGE_URL"][len("s3://") :].split("?")[0].split("/", 1)
    acl = s3_server.client().get_object_acl(Bucket=bucket, Key=f"{prefix}/{certificate.file.name}")
    grantees = {grant["Grantee"].get("URI") for grant in acl["Grants"]}
    assert not grantees & {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
    with pytest.raises(ValueError, match=PRIVATE_FILE_URL):
        private_storage().url(certificate.file.name)


@pytest.mark.parametrize("private_storage_kind", ["s3"], indirect=True)
def test_another_web_machine_reads_what_one_stored(on_s3, db):
    """Two machines share nothing but the database and the bucket: a process with its own
    settings, pointed at the same STORAGE_URL, reads the upload."""
    certificate = factories.TKDNCertificateFactory()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, sys; django.setup(); "
            "from vendors.uploads import private_storage; "
            f"sys.stdout.buffer.write(private_storage().open({certificate.file.name!r}).read())",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "p3dn_portal.settings",
            "DEBUG": "1",
            "MEDIA_ROOT": "/nonexistent",  # no shared disk
            **on_s3,
        },
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == PDF_BYTES
