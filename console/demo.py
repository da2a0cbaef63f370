"""`flask console demo`: a few 【演示】 bookings at 五山街道 for the coming days, so a clerk who logs
in with the development form has a desk to work at; made by booking's own operation, as a
resident's would be, once (their Idempotency-Keys name the day). One was taken at the station for
a walk-in, with the development resident's phone (who can claim it in the mini-program), and one
has a serious complaint waiting to be accepted within its two hours (the desk lists it)."""

from datetime import datetime, time, timedelta

from accounts.models import RESIDENT, STATION_STAFF
from accounts.services import DEVELOPMENT_PHONE, development_user
from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from booking import aftercare, bookings, on_behalf
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
        if created and hour == 10:
            aftercare.complain(booking, "safety", "【演示】服务人员未关燃气就离开", resident)
        made.append(booking)
    day = today_in_beijing() + timedelta(days=2)
    walk_in = {
        "station_code": DEMO_STATION,
        "service_code": "cleaning",
        "starts_at": datetime.combine(day, time(12), BEIJING),
        "address": "【演示】天河区五山路 3 号",
        "location": {"lat": station.lat, "lng": station.lng},
        "caller_name": "【演示】陈伯",
        "caller_phone": DEVELOPMENT_PHONE,
        "channel": "walk_in",
        "consent": True,
    }
    booking, _ = on_behalf.book_on_behalf(clerk, walk_in, f"console-demo-walk-in-{day.isoformat()}")
    made.append(booking)
    return made
