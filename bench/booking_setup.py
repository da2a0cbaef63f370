"""Prepares the booking benchmark on the bench database: a resident with a bound phone. Prints
the resident's session token and the stations that offer cleaning, comma-separated."""

from sqlalchemy import select

from accounts.models import User
from accounts.services import start_session
from app import create_app
from app.extensions import db
from app.privacy import blind_index
from booking.models import StationOffer

BENCH_PHONE = "13700000000"

app = create_app()
with app.app_context():
    resident = User(openid="bench-resident", phone=BENCH_PHONE, phone_hash=blind_index(BENCH_PHONE))
    db.session.add(resident)
    db.session.flush()
    token = start_session(resident)
    stations = db.session.scalars(
        select(StationOffer.station_code)
        .where(StationOffer.service_code == "cleaning")
        .order_by(StationOffer.station_code)
    )
    db.session.commit()
    print(token)
    print(",".join(stations))
