"""Fixtures of the integrations tests: a bank with keys, and (from the services tests) applications."""

import pytest

from nokor.documents.tests.conftest import issue  # noqa: F401  (fixtures)
from nokor.integrations import auth, services
from nokor.integrations.usage import USAGE
from nokor.services.tests.conftest import catalogue, residence, submitted  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _no_usage_outlives_its_test():
    """A test's keys are rolled back: their buffered calls are dropped (never written later), and what
    this process remembers of them forgotten."""
    yield
    USAGE._pending.clear()
    auth._local.clear()


@pytest.fixture
def bank(administrator):
    return services.organisation_create(by=administrator, name_km="ធនាគារ", name_en="A bank", kind="bank")


@pytest.fixture
def make_key(bank, administrator):
    """make_key("scam-check:read", …) → the token of a new key of the bank with those scopes."""

    def make(*scopes, organisation=None, **options):
        _key, token = services.api_key_create(
            by=administrator,
            organisation=organisation or bank,
            label="Core banking",
            scopes=list(scopes),
            **options,
        )
        return token

    return make


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
