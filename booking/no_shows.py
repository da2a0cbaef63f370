"""爽约 (no-show): the station's staff record that the resident was not there or that the worker
did not come to an assigned booking, once the booking's time has begun; once per party. A
worker's no-show goes on the ledger of the worker and their company (kind no_show); a
resident's goes on no ledger and is listed for the station's staff and operators only."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import in_beijing, utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from booking.aftercare import credit_both
from booking.models import BOOKING_FACTS, Booking, NoShow


def record_no_show(booking, party: str, notes: str | None, actor: User) -> NoShow:
    BOOKING_FACTS.target(booking.status, "record_no_show", doing="record a no-show")
    if utcnow() < booking.starts_at:
        raise Conflict(
            _("The booking has not begun yet: nobody can have missed it."),
            code="booking_not_begun",
            errors={"starts_at": [in_beijing(booking.starts_at).isoformat()]},
        )
    no_show = NoShow(
        booking_id=booking.id,
        party=party,
        worker_id=booking.worker_id,
        notes=notes,
        recorded_by_id=actor.id,
        recorded_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(no_show)
    except IntegrityError:
        raise Conflict(
            _("This no-show is recorded already."),
            code="no_show_recorded",
            errors={"party": [_("recorded once already")]},
        ) from None
    if party == "worker":
        credit_both(booking, "no_show", 1, actor, f"no-show:{no_show.id}", "服务人员爽约")
    return no_show


def no_shows_of_station(station_code: str, party: str | None, page: int, per_page: int) -> Page:
    """The station's no-shows, latest first: the booking rows (and their addresses) are not read."""
    query = select(NoShow).join(NoShow.booking).where(Booking.station_code == station_code)
    if party:
        query = query.where(NoShow.party == party)
    return paginate(query.order_by(NoShow.id.desc()), page, per_page)


def no_shows_of_booking(booking_id: int) -> list[NoShow]:
    """What was recorded of one booking, in the order it was: a party at most once each."""
    return list(db.session.scalars(select(NoShow).where(NoShow.booking_id == booking_id).order_by(NoShow.id)))
