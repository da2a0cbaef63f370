"""The stub verification service (tests/credit/verification_stub.py), once per session, fresh for
every test that uses it."""

import pytest

from tests.credit.verification_stub import StubVerification


@pytest.fixture(scope="session")
def verification_stub():
    server = StubVerification()
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def fresh_verification_stub(request):
    """Every test that talks to the stub starts with it fresh and leaves nothing hung after it."""
    if "verification_stub" not in request.fixturenames:
        yield None
        return
    server = request.getfixturevalue("verification_stub")
    server.reset()
    yield server
    server.release.set()
