"""Residents at their door: a worker scanned and recorded (确认入户 without a booking). Builders
are in tests/factories.py; residents and green workers come from tests/plugins/."""

import pytest

from tests.factories import token_of


@pytest.fixture
def enter(client):
    """enter(headers, scanned, via=client) -> the answer of POST /door-entries."""
    return lambda headers, scanned, via=client: via.post(
        "/api/v1/door-entries", json={"token": scanned}, headers=headers
    )


@pytest.fixture
def entered(enter, resident, green_worker):
    """A green worker let in: (entry, resident headers, worker)."""

    def make(headers=None, worker=None):
        headers, worker = headers or resident(), worker or green_worker()
        response = enter(headers, token_of(worker))
        assert response.status_code == 201, response.json
        return response.json, headers, worker

    return make
