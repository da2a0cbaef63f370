"""The city bench's credentials, as JSON: bearer tokens of an operator, the staff of station
ARGV[1] and the admin of company ARGV[2] (the API), console web sessions of the same three (the
console's pages), a feed client's API key (the public-credit feed), and a resident with a bound
phone who books (bench/booking.lua) at the stations that offer cleaning."""

import json
import sys
from typing import Any

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, User
from accounts.services import grant_role, start_session
from accounts.web_sessions import start_web_session
from app import create_app
from app.extensions import db
from app.privacy import blind_index
from booking.models import StationOffer
from feed.clients import add_client

station, company = sys.argv[1], int(sys.argv[2])
app = create_app()
with app.app_context():
    scopes: list[tuple[str, dict[str, Any]]] = [
        (OPERATOR, {}),
        (STATION_STAFF, {"station_code": station}),
        (COMPANY_ADMIN, {"company_id": company}),
    ]
    users = {}
    for role, scope in scopes:
        user = User(openid=f"bench-city-{role}-{db.session.scalar(db.select(db.func.count(User.id)))}")
        db.session.add(user)
        db.session.flush()
        grant_role(user, role, **scope)
        users[role] = user
    credentials: dict[str, Any] = {
        "bearer": {role: start_session(user) for role, user in users.items()},
        "web": {role: start_web_session(user) for role, user in users.items()},
    }
    _client, credentials["feed_key"] = add_client(f"bench-city-{users[OPERATOR].id}")
    phone = f"137{users[OPERATOR].id % 10**8:08d}"
    resident = User(openid=f"bench-city-resident-{users[OPERATOR].id}", phone=phone, phone_hash=blind_index(phone))
    db.session.add(resident)
    db.session.flush()
    credentials["resident"] = start_session(resident)
    credentials["booking_stations"] = ",".join(
        db.session.scalars(db.select(StationOffer.station_code).where(StationOffer.service_code == "cleaning"))
    )
    db.session.commit()
    print(json.dumps(credentials))
