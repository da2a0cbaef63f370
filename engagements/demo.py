"""Labelled demo engagements for the embedded default, one in each state a station sees most:
requested, proposed, interviewing, signed (confirmed), in service, completed; with three green
demo workers who offer the long services. Never in production; loading it twice changes nothing."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from accounts.models import STATION_STAFF, User
from accounts.services import grant_role
from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from app.privacy import blind_index
from credit import demo as credit_demo
from credit.identifiers import id_number_check_character
from credit.models import Certificate, Company, Worker
from engagements import aftercare, candidates, in_service, requests, worker_time
from engagements.models import DAYS, MONTHS, Engagement
from stations.models import Station

DEMO_RESIDENT_OPENID = "demo-engagements-resident"
DEMO_STAFF_OPENID = "demo-engagements-staff"
DEMO_PHONE = "13900001234"
DEMO_WORKERS = [  # name, first 17 digits of a made-up ID number, services
    (f"{credit_demo.DEMO_LABEL}月嫂李", "44010619780303907", ["maternity", "childcare"]),
    (f"{credit_demo.DEMO_LABEL}育儿嫂陈", "44010619820404908", ["childcare", "live_in_housekeeping"]),
    (f"{credit_demo.DEMO_LABEL}护理员黄", "44010619750505909", ["elderly_care", "live_in_housekeeping"]),
]


def _user(openid: str, phone: str | None = None) -> User:
    user = User(openid=openid, phone=phone, phone_hash=phone and blind_index(phone))
    db.session.add(user)
    db.session.flush()
    return user


def _request(resident: User, station: Station, service: str, days_ahead: int, **fields) -> Engagement:
    data = {
        "station_code": station.code,
        "service_code": service,
        "start_day": today_in_beijing() + timedelta(days=days_ahead),
        "length": 26,
        "length_unit": DAYS,
        "live_in": True,
        "address": f"{credit_demo.DEMO_LABEL}天河区体育西路 1 号",
        "needs": "产妇与新生儿照护，会做月子餐",
    } | fields
    return requests.create_engagement(resident, data)


def _signed(engagement: Engagement, worker_id: int, resident: User, staff: User) -> Engagement:
    candidates.propose(engagement, [worker_id], staff)
    candidates.choose(engagement, engagement.candidates[0].id, resident)
    candidates.confirm(engagement, resident)
    candidates.confirm(
        engagement,
        staff,
        worker_side={"contract_reference": f"DEMO-{engagement.id:06d}", "contract_signed_on": today_in_beijing()},
    )
    return engagement


def _move_to(engagement: Engagement, start_day: date) -> None:
    """Moves a signed engagement's period (and the worker's held time) to start on `start_day`: the
    demo shows engagements already under way, which no request could start in the past."""
    worker_time.release(engagement)
    length = engagement.last_day - engagement.start_day
    engagement.start_day, engagement.last_day = start_day, start_day + length
    worker_time.hold(
        engagement, db.session.get_one(Worker, engagement.worker_id), engagement.start_day, engagement.last_day
    )


def _scan_token(worker_id: int) -> str:
    return db.session.scalar(select(Certificate.scan_token).where(Certificate.worker_id == worker_id))


def load_demo() -> list[Engagement]:
    """The demo engagements; none when they are there already."""
    if db.session.scalar(select(User.id).where(User.openid == DEMO_RESIDENT_OPENID)) is not None:
        return []
    station = db.session.scalar(select(Station).order_by(Station.code).limit(1))
    if station is None:
        return []
    credit_demo.load_demo()
    company = db.session.scalars(
        select(Company).where(Company.credit_code == credit_demo.DEMO_COMPANIES[0]["credit_code"])
    ).one()
    workers = [
        credit_demo.green_demo_worker(name, first17 + id_number_check_character(first17), company, services)
        for name, first17, services in DEMO_WORKERS
    ]
    resident = _user(DEMO_RESIDENT_OPENID, DEMO_PHONE)
    staff = _user(DEMO_STAFF_OPENID)
    grant_role(staff, STATION_STAFF, station_code=station.code)
    today = today_in_beijing()
    requested = _request(
        resident, station, "elderly_care", 30, live_in=False, day_starts_at=time(8), day_ends_at=time(18)
    )
    proposed = _request(resident, station, "childcare", 40, length=3, length_unit=MONTHS)
    candidates.propose(proposed, [workers[1].id], staff)
    interviewing = _request(resident, station, "maternity", 60)
    candidates.propose(interviewing, [workers[0].id], staff)
    interview_at = datetime.combine(today + timedelta(days=7), time(15), BEIJING)
    candidates.request_interview(interviewing, interviewing.candidates[0].id, interview_at, "video", resident)
    signed = _signed(_request(resident, station, "maternity", 90), workers[0].id, resident, staff)
    under_way = _signed(
        _request(resident, station, "live_in_housekeeping", 120, length=1, length_unit=MONTHS),
        workers[2].id,
        resident,
        staff,
    )
    _move_to(under_way, today - timedelta(days=3))
    in_service.start(under_way, _scan_token(workers[2].id), resident)
    done = _signed(_request(resident, station, "childcare", 150), workers[1].id, resident, staff)
    _move_to(done, today - timedelta(days=25))  # its 26th and last day is today
    in_service.start(done, _scan_token(workers[1].id), resident)
    in_service.complete(done, _scan_token(workers[1].id), resident)
    aftercare.rate(done, 5, "细心周到，宝宝照顾得很好", None, resident)
    return [requested, proposed, interviewing, signed, under_way, done]
