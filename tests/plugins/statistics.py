"""A generated platform for the statistics to count: companies in three districts with grades,
workers of known gender and birth year (registered by credit, from their ID numbers) with
certificate moves, bookings at four stations with follow-ups and complaints, and training, all
spread over the first half of 2025 (Beijing), some of it on a month's last evening in Beijing,
which is still that month in Beijing and already the next in UTC or the reverse."""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from geoalchemy2 import WKTElement
from sqlalchemy import bindparam, select, text

from app.clock import BEIJING, to_utc
from app.extensions import db
from booking.hours import seed_defaults
from booking.models import (
    ASSIGNED,
    CANCELLED,
    COMPLETED,
    PENDING,
    REJECTED,
    Booking,
    FollowUp,
    Service,
    Slot,
)
from credit import registry
from credit.identifiers import id_number_check_character
from credit.models import COMPANY_GRADES, Company, CreditEvent, Worker
from credit.service_types import SERVICE_TYPES
from stations.models import Station
from tests.factories import complaint_about, make_user, new_credit_code
from training.models import Attempt, Attendance, ClassSession, Course, Enrolment, Exam, TrainingClass

FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2025, 6, 30)
DISTRICT_CODES = ("440103", "440106", "440111")  # 荔湾区, 天河区, 白云区


def beijing(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return to_utc(datetime.combine(day, time(hour, minute), BEIJING))


def id_number(birth: date, male: bool, sequence: int) -> str:
    """A valid ID number born on `birth`, its 17th digit odd for a man."""
    first17 = f"440106{birth:%Y%m%d}{sequence % 100:02d}{(1 if male else 2) + 2 * (sequence % 4)}"
    return first17 + id_number_check_character(first17)


@dataclass
class Generated:
    first_day: date
    last_day: date
    district_codes: tuple[str, ...]
    station_codes: list[str]


def _moment(rng: random.Random) -> datetime:
    """A moment in the period; one in four on a month's edge (Beijing 23:30 on its last day or
    00:30 on the first of the next)."""
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
    if rng.random() < 0.25:
        first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if first_of_next > LAST_DAY:
            return beijing(LAST_DAY, 23, 30)
        return rng.choice([beijing(first_of_next - timedelta(days=1), 23, 30), beijing(first_of_next, 0, 30)])
    return beijing(day, rng.randrange(24), rng.randrange(60))


def _companies(rng: random.Random) -> list[Company]:
    companies = []
    for index in range(7):
        company = Company(
            name=f"统计测试家政{index}",
            credit_code=new_credit_code(),
            district_code=DISTRICT_CODES[index % 3],
            grade=rng.choice([*COMPANY_GRADES, None]),
        )
        db.session.add(company)
        companies.append(company)
    db.session.flush()
    return companies


def _workers(rng: random.Random, companies: list[Company]) -> list[Worker]:
    workers = []
    for index in range(36):
        born = date(rng.randrange(1955, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        company = rng.choice([*companies, None])
        worker = registry.create_worker(
            {
                "name": f"统计{index}",
                "id_number": id_number(born, rng.random() < 0.4, index),
                "service_types": rng.sample(list(SERVICE_TYPES), rng.randrange(0, 3)),
                "company_id": company and company.id,
            },
            None,
        )
        workers.append(worker)
    # Two registered before gender and birth year were kept (not yet backfilled): counted as unknown.
    for worker in workers[:2]:
        worker.gender = worker.birth_year = None
    # Stars as credit's ledger would have given them (1 to 5), a sixth never rated: none yet.
    for index, worker in enumerate(workers):
        worker.stars = index % 6 or None
    db.session.flush()
    return workers


# Certificate moves: (from state, to state), one path each, in order.
PATHS = [
    [("identity_verified", "issued")],
    [("identity_verified", "issued"), ("issued", "suspended")],
    [("identity_verified", "issued"), ("issued", "suspended"), ("suspended", "issued")],
    [("identity_verified", "issued"), ("issued", "suspended"), ("suspended", "revoked")],
    [("identity_verified", "issued"), ("issued", "expired"), ("expired", "issued")],
    [("identity_verified", "issued"), ("issued", "revoked")],
]


def _certificate_moves(rng: random.Random, workers: list[Worker]) -> None:
    moves = []
    for worker in workers[:30]:
        moments = sorted(_moment(rng) for _ in range(3))
        for moment, (before, after) in zip(moments, rng.choice(PATHS), strict=False):
            moves.append((moment, worker, before, after))
    # ... and one issued in December 2024, valid at the end of every month of the period
    moves.append((beijing(date(2024, 12, 31), 23, 30), workers[30], "identity_verified", "issued"))
    for moment, worker, before, after in sorted(moves, key=lambda move: move[0]):
        db.session.add(
            CreditEvent(
                worker_id=worker.id,
                employer_id=worker.company_id,
                kind="certificate",
                before={"state": before},
                after={"state": after},
                created_at=moment,
            )
        )
        db.session.flush()  # in order: the ledger's ids grow with time


def _stations() -> list[str]:
    """The first station of each district, and the last of 天河区: two stations in one district."""
    first, last = Station.code, Station.code.desc()
    return [
        db.session.scalars(select(Station.code).where(Station.district_code == district).order_by(order).limit(1)).one()
        for district, order in [*((district, first) for district in DISTRICT_CODES), ("440106", last)]
    ]


def _bookings(rng: random.Random, workers: list[Worker], station_codes: list[str]) -> None:
    if db.session.get(Service, "cleaning") is None:
        seed_defaults()
    residents = [make_user() for _ in range(3)]
    staff = make_user()
    slots: dict[tuple[str, datetime], Slot] = {}
    for index in range(48):
        station_code = rng.choice(station_codes)
        starts_at = _moment(rng)
        slot = slots.get((station_code, starts_at))
        if slot is None:
            slot = slots[(station_code, starts_at)] = Slot(
                station_code=station_code,
                service_code="cleaning",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                capacity=48,
                booked=0,
            )
            db.session.add(slot)
            db.session.flush()
        slot.booked += 1
        status = rng.choice([COMPLETED, COMPLETED, COMPLETED, CANCELLED, PENDING, REJECTED, ASSIGNED])
        booking = Booking(
            resident_id=rng.choice(residents).id,
            idempotency_key=f"statistics-{index}",
            request_fingerprint="0" * 64,
            station_code=station_code,
            service_code="cleaning",
            slot_id=slot.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            status=status,
            address="统计路 1 号",
            location=WKTElement("POINT(113.3 23.1)", srid=4326),
            worker_id=rng.choice(workers).id if status in (COMPLETED, ASSIGNED) else None,
        )
        db.session.add(booking)
        db.session.flush()
        if status == COMPLETED and rng.random() < 0.7:
            db.session.add(
                FollowUp(
                    booking_id=booking.id,
                    caller_id=staff.id,
                    called_at=starts_at + timedelta(days=1),
                    satisfied=rng.random() < 0.7,
                )
            )
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            submitted_at = starts_at + timedelta(hours=rng.randrange(1, 200))
            decided = rng.random() < 0.8
            complaint_about(
                booking,
                status="upheld" if decided else "submitted",
                submitted_at=submitted_at,
                decided_at=submitted_at + timedelta(minutes=rng.randrange(30, 20000)) if decided else None,
                # Deadlines as a severity sets them (one in three serious: 2 h to answer, 3 days
                # to decide; else 24 h and 7 days), answered within 0–4 hours when decided.
                severity="serious" if booking.id % 3 == 0 else "ordinary",
                respond_by=submitted_at + timedelta(hours=2 if booking.id % 3 == 0 else 24),
                resolve_by=submitted_at + timedelta(hours=72 if booking.id % 3 == 0 else 168),
                accepted_at=submitted_at + timedelta(hours=booking.id % 5) if decided else None,
            )
    db.session.flush()


def _training(rng: random.Random, workers: list[Worker]) -> None:
    for number in range(2):
        course = Course(title=f"统计课程{number}", kind="theory", purpose="pre_job", required_hours=8, pass_mark=60)
        db.session.add(course)
        db.session.flush()
        exam = Exam(course_id=course.id, rules=[], duration_minutes=30, max_attempts=3, retake_wait_hours=0)
        training_class = TrainingClass(course_id=course.id, title="班", mode="offline", capacity=100, enrolled=0)
        db.session.add_all([exam, training_class])
        db.session.flush()
        sessions = [
            ClassSession(class_id=training_class.id, starts_at=start, ends_at=start + timedelta(hours=3))
            for start in (_moment(rng) for _ in range(3))
        ]
        db.session.add_all(sessions)
        db.session.flush()
        for worker in rng.sample(workers, 14):
            completed = rng.random() < 0.5
            db.session.add(
                Enrolment(
                    class_id=training_class.id,
                    worker_id=worker.id,
                    status="completed" if completed else rng.choice(["enrolled", "cancelled"]),
                    created_at=_moment(rng),
                    completed_on=(_moment(rng).astimezone(BEIJING).date() if completed else None),
                )
            )
            for session in sessions:
                if rng.random() < 0.6:
                    db.session.add(Attendance(session_id=session.id, worker_id=worker.id, method="qr", at=_moment(rng)))
            for _ in range(rng.choice([0, 1, 2])):
                submitted_at = _moment(rng)
                passed = rng.random() < 0.5
                db.session.add(
                    Attempt(
                        exam_id=exam.id,
                        worker_id=worker.id,
                        paper=[],
                        started_at=submitted_at - timedelta(minutes=20),
                        deadline=submitted_at + timedelta(minutes=10),
                        submitted_at=submitted_at,
                        score=80 if passed else 20,
                        passed=passed,
                    )
                )
            db.session.flush()


@pytest.fixture
def generated(app, isolated) -> Generated:
    rng = random.Random(14)
    with app.app_context():
        companies = _companies(rng)
        workers = _workers(rng, companies)
        _certificate_moves(rng, workers)
        station_codes = _stations()
        _bookings(rng, workers, station_codes)
        _training(rng, workers)
        db.session.commit()
    return Generated(FIRST_DAY, LAST_DAY, DISTRICT_CODES, station_codes)


@pytest.fixture
def rows_read(isolated):
    """`with rows_read("training_enrolments", ...) as read:` ... `read()`: the rows of those tables
    the statements meanwhile read (scanned or fetched by an index), as PostgreSQL counts them in
    the test's transaction; a figure that reads a rollup reads few of them however many there are."""
    if isolated.dialect.name != "postgresql":
        pytest.skip("rows read are counted by PostgreSQL's statistics")

    def counted(tables: tuple[str, ...]) -> int:
        return isolated.execute(
            text(
                "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) "
                "FROM pg_stat_xact_user_tables WHERE relname IN :tables"
            ).bindparams(bindparam("tables", expanding=True)),
            {"tables": list(tables)},
        ).scalar_one()

    @contextmanager
    def reading(*tables: str):
        before = counted(tables)
        yield lambda: counted(tables) - before

    return reading
