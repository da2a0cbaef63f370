"""The booking tests book from the catalogue and default hours, seeded once per backend as
`flask booking defaults` would. Their fixtures are in tests/plugins/booking.py, their builders in
tests/factories.py."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def books_from_the_catalogue(catalogue):
    """Every test here books from the catalogue (tests/plugins/booking.py)."""
