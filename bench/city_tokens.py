"""Bearer tokens for the city bench's clerks: an operator, the staff of station ARGV[1], the admin
of company ARGV[2]. Prints the three tokens."""

import sys
from typing import Any

from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, User
from accounts.services import grant_role, start_session
from app import create_app
from app.extensions import db

station, company = sys.argv[1], int(sys.argv[2])
app = create_app()
with app.app_context():
    tokens = []
    scopes: list[tuple[str, dict[str, Any]]] = [
        (OPERATOR, {}),
        (STATION_STAFF, {"station_code": station}),
        (COMPANY_ADMIN, {"company_id": company}),
    ]
    for n, (role, scope) in enumerate(scopes):
        user = User(openid=f"bench-city-{role}-{n}")
        db.session.add(user)
        db.session.flush()
        grant_role(user, role, **scope)
        tokens.append(start_session(user))
    db.session.commit()
    print(" ".join(tokens))
