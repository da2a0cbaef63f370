"""`flask console demo`: a few 【演示】 bookings at 五山街道 for the coming days, so a clerk who logs
in with the development form has a desk to work at; made by booking's own operation, as a
resident's would be, once (their Idempotency-Keys name the day)."""

from datetime import datetime, time, timedelta

from accounts.models import RESIDENT, STATION_STAFF
from accounts.services import development_user
from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from booking import bookings
from booking.models import PENDING, Booking
from stations.models import Station

DEMO_STATION = "440106001000"  # 五山街道, 天河区
# (days ahead, hour, contact): cleaning slots start at 08:00 and every two hours after.
DEMO_BOOKINGS = [(1, 10, "【演示】陈女士"), (1, 14, "【演示】李先生"), (2, 8, "【演示】王阿姨")]


def load_demo_bookings() -> list[Booking]:
    station = db.session.get(Station, DEMO_STATION)
    if station is None or station.lat is None:
        raise LookupError(f"station {DEMO_STATION} is not imported (flask stations import ...)")
    resident = development_user(RESIDENT)
    clerk = development_user(STATION_STAFF, station_code=DEMO_STATION)
    made = []
    for days_ahead, hour, contact in DEMO_BOOKINGS:
        day = today_in_beijing() + timedelta(days=days_ahead)
        data = {
            "station_code": DEMO_STATION,
            "service_code": "cleaning",
            "starts_at": datetime.combine(day, time(hour), BEIJING),
            "address": "【演示】天河区五山路 1 号",
            "location": {"lat": station.lat, "lng": station.lng},
            "contact_name": contact,
        }
        booking, created = bookings.create_booking(resident, data, f"console-demo-{day.isoformat()}-{hour}")
        if created and hour == 14 and booking.status == PENDING:
            bookings.confirm(booking, clerk)  # one already confirmed, waiting for its worker
        made.append(booking)
    return made
