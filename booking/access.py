"""Who may see and act on booking's objects: a station's staff (or an operator) act on the
station's bookings and complaints; a resident acts on their own bookings. Another station's or
resident's booking counts as none (404), so its existence is not revealed."""

from accounts.models import OPERATOR, STATION_STAFF, User
from app.access import current_principal
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.i18n import _
from booking.aftercare import locked_complaint
from booking.bookings import locked_booking, readable_booking
from booking.models import Booking, BookingSeries, Complaint, WaitingEntry
from booking.series import locked_series, readable_series
from booking.waiting import locked_entry
from stations.models import Station


def actor() -> User:
    return current_principal().user


def is_staff_of(station_code: str) -> bool:
    principal = current_principal()
    return principal.has_role(OPERATOR) or (
        principal.has_role(STATION_STAFF) and principal.station_code == station_code
    )


def existing_station(code: str) -> Station:
    station = db.session.get(Station, code)
    if station is None:
        raise NotFound(_("No station has code %(code)s.", code=code))
    return station


def station_for_staff(code: str) -> Station:
    """A station the caller runs: its staff, or an operator. Another station's staff get 403."""
    station = existing_station(code)
    if not is_staff_of(code):
        raise Forbidden(_("Only staff of station %(code)s may do this.", code=code), code="not_station_staff")
    return station


def booking_for_staff(booking_id: int, lock: bool = True) -> Booking:
    """The booking, row-locked unless only read, if the caller is staff of its station (or an
    operator); any other station's booking is a 404, so its existence is not revealed."""
    booking = locked_booking(booking_id) if lock else db.session.get(Booking, booking_id)
    if booking is None or not is_staff_of(booking.station_code):
        raise NotFound(_("No booking %(id)s.", id=booking_id))
    return booking


def _readable(booking: Booking) -> bool:
    """Who may know the booking exists: its resident, its station's staff and operators."""
    return booking.resident_id == actor().id or is_staff_of(booking.station_code)


def booking_for_reader(booking_id: int) -> Booking:
    booking = readable_booking(booking_id)
    if booking is None or not _readable(booking):
        raise NotFound(_("No booking %(id)s.", id=booking_id))
    return booking


def booking_for_resident(booking_id: int) -> Booking:
    """The caller's own booking, row-locked. Others who can read it (its station's staff,
    operators) are refused with a 403; to anyone else it is a 404, so its existence is not revealed."""
    booking = locked_booking(booking_id)
    if booking is None or not _readable(booking):
        raise NotFound(_("No booking %(id)s.", id=booking_id))
    if booking.resident_id != actor().id:
        raise Forbidden(_("Only the resident who booked may do this."), code="not_the_resident")
    return booking


def complaint_for_staff(complaint_id: int) -> Complaint:
    """The complaint, row-locked, if the caller is staff of its booking's station (or an operator)."""
    complaint = locked_complaint(complaint_id)
    if complaint is None or not is_staff_of(complaint.booking.station_code):
        raise NotFound(_("No complaint %(id)s.", id=complaint_id))
    return complaint


def series_for_reader(series_id: int) -> BookingSeries:
    """A series, to its resident, its station's staff and operators; to anyone else it is none."""
    series = readable_series(series_id)
    if series is None or not (series.resident_id == actor().id or is_staff_of(series.station_code)):
        raise NotFound(_("No series %(id)s.", id=series_id))
    return series


def series_for_resident(series_id: int) -> BookingSeries:
    """The caller's own series, row-locked; its station's staff and operators are refused (403)."""
    series = locked_series(series_id)
    if series is None or not (series.resident_id == actor().id or is_staff_of(series.station_code)):
        raise NotFound(_("No series %(id)s.", id=series_id))
    if series.resident_id != actor().id:
        raise Forbidden(_("Only the resident who booked may do this."), code="not_the_resident")
    return series


def entry_for_resident(entry_id: int, lock: bool = True) -> WaitingEntry:
    """The caller's own waiting entry (row-locked unless only read); anyone else's is none."""
    entry = locked_entry(entry_id) if lock else db.session.get(WaitingEntry, entry_id)
    if entry is None or entry.resident_id != actor().id:
        raise NotFound(_("No waiting entry %(id)s.", id=entry_id))
    return entry
