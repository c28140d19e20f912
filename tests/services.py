"""What a test does when a service or tool it needs is not on this machine."""

import os

import pytest


def service_missing(reason: str) -> None:
    """Skip with the reason, or fail when every service is required (REQUIRE_SERVICES=1, as in
    CI): a machine without the service cannot silently pass the tests that need it."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1).")
    pytest.skip(reason)
