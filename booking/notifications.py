"""What a resident is told about their booking by WeChat subscribe message, and under which
template keys (README lists them; operators map them to their templates in the mini-program
console). Each function queues in the caller's transaction: a refused or rolled-back request
sends nothing."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from accounts.models import STATION_STAFF, RoleGrant
from app.clock import in_beijing
from app.extensions import db
from app.privacy import mask_name
from booking.models import PENDING, STATUS_NAMES, Booking, WaitingEntry
from credit.models import Worker
from stations.services import station_name
from wechat.messages import queue_subscribe_message

# WeChat refuses a `thing` value longer than 20 characters (errcode 47003).
THING_LIMIT = 20


def _thing(text: str) -> str:
    return text[:THING_LIMIT]


def _stars(worker: Worker) -> str:
    return f"{worker.stars}星" if worker.stars else "暂无星级"


def _queue(booking: Booking, kind: str, extra: dict[str, str], user_id: int | None = None) -> None:
    """Every booking message starts with the same three keys (_words); `extra` adds the kind's
    own from key 4 on. To the booking's resident unless `user_id` names someone else. A booking
    taken on behalf tells its holder (the staff member) nothing: its resident hears of it once
    they claim it."""
    caller = booking.caller
    if user_id is None and caller is not None and caller.claimed_at is None:
        return
    data = _words(booking.service.name, booking.starts_at, booking.station_code) | extra
    queue_subscribe_message(user_id or booking.resident_id, kind, data, page=booking_page() + str(booking.id))


def _words(service_name: str, starts_at: datetime, station_code: str) -> dict[str, str]:
    """thing1 the service, time2 its start (Beijing time), thing3 the station."""
    return {
        "thing1": _thing(service_name),
        "time2": in_beijing(starts_at).strftime("%Y-%m-%d %H:%M"),
        "thing3": _thing(station_name(station_code)),
    }


def booking_page() -> str:
    """The mini-program page of a booking, but for the booking's id at its end."""
    return f"{current_app.config['WECHAT_BOOKING_PAGE']}?id="


def received_words(service_name: str, starts_at: datetime, station_code: str) -> dict[str, str]:
    """What 预约已受理 says, to the resident (booking_received) and to each of the station's staff
    (station_booking) alike, before the booking has an id."""
    return _words(service_name, starts_at, station_code) | {"phrase4": STATUS_NAMES[PENDING]}


def booking_received(booking: Booking) -> None:
    _queue(booking, "booking_received", {"phrase4": STATUS_NAMES[booking.status]})


def booking_confirmed(booking: Booking) -> None:
    _queue(booking, "booking_confirmed", {"phrase4": STATUS_NAMES[booking.status]})


def booking_assigned(booking: Booking, worker: Worker) -> None:
    """The resident learns who comes: the masked name and the credit stars, as the 安心碼 shows."""
    _queue(booking, "booking_assigned", {"thing4": _thing(mask_name(worker.name)), "thing5": _stars(worker)})


def booking_reminder(booking: Booking) -> None:
    """The day before: who comes, or that the station is still choosing."""
    worker = booking.worker
    who = f"{mask_name(worker.name)}（{_stars(worker)}）" if worker else "服务站派单中"
    _queue(booking, "booking_reminder", {"thing4": _thing(who)})


def followup_survey(booking: Booking) -> None:
    _queue(booking, "followup_survey", {"thing4": "服务已完成，请为本次服务评价"})


def waiting_offer(entry: WaitingEntry, expires_at: datetime) -> None:
    """A place came free in the slot the resident waits for: it is held for them until time4."""
    data = _words(entry.service.name, entry.starts_at, entry.station_code) | {
        "time4": in_beijing(expires_at).strftime("%Y-%m-%d %H:%M")
    }
    page = f"{current_app.config['WECHAT_WAITING_PAGE']}?id={entry.id}"
    queue_subscribe_message(entry.resident_id, "waiting_offer", data, page=page)


def station_told_of_booking(booking: Booking) -> None:
    """Each of the station's staff learns of a new booking waiting to be confirmed."""
    staff = db.session.scalars(
        select(RoleGrant.user_id)
        .where(
            RoleGrant.role == STATION_STAFF,
            RoleGrant.station_code == booking.station_code,
            RoleGrant.revoked_at.is_(None),
        )
        .distinct()
        .order_by(RoleGrant.user_id)
    )
    for user_id in staff:
        _queue(booking, "station_booking", {"phrase4": STATUS_NAMES[booking.status]}, user_id=user_id)
