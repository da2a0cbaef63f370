"""Who sees which figures: operators all of them; a station's staff their own station's
booking figures (and no other station's: 403)."""

from accounts.models import OPERATOR, STATION_STAFF
from app.access import require_principal
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.i18n import _
from stations.models import Station

BOOKING_READERS = (OPERATOR, STATION_STAFF)


def station_in_scope(station_code: str | None) -> str | None:
    """The station the booking figures are of: the one asked for (an operator; None for all), or
    the caller's own (station staff, who may ask for no other)."""
    principal = require_principal()
    if principal.has_role(OPERATOR):
        if station_code is not None and db.session.get(Station, station_code) is None:
            raise Invalid(
                _("No station has code %(code)s.", code=station_code), code="unknown_station", field="station"
            )
        return station_code
    if station_code is not None and station_code != principal.station_code:
        raise Forbidden(
            _("Station staff see the figures of their own station only."), code="not_station_staff", field="station"
        )
    return principal.station_code
