"""The booking tests book from the catalogue and default hours, seeded once per backend as
`flask booking defaults` would. Their fixtures are in tests/plugins/booking.py, their builders in
tests/factories.py."""

import pytest

from app.extensions import db
from booking.hours import seed_defaults
from tests.factories import the_runs_clock


@pytest.fixture(scope="session", autouse=True)
def catalogue(app):
    """Seeded and committed once per backend; tests change it only inside their rolled-back transaction."""
    with app.app_context(), the_runs_clock():
        seed_defaults()
        db.session.commit()
