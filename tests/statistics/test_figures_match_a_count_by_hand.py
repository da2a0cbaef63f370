"""Every figure, as the API answers it, equals the same figure counted in Python from the rows
themselves (loaded here, as the API never does), over the generated platform of
tests/plugins/statistics.py: certificates, workers, companies, bookings, complaint handling times
and training, for the whole city and for one district."""

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import in_beijing, today_in_beijing, utcnow
from app.extensions import db
from booking.models import CANCELLED, COMPLETED, Booking, Complaint, FollowUp
from credit.models import Company, CreditEvent, Worker
from stations.models import Station
from tests.plugins.statistics import beijing
from training.models import Attempt, Attendance, ClassSession, Enrolment, Exam, TrainingClass

TIANHE = "440106"


def month(moment: datetime) -> str:
    return in_beijing(moment).strftime("%Y-%m")


def by_key(chart: dict) -> dict[str, dict]:
    """{series key: {label key: value}} of a chart as answered."""
    return {series["key"]: dict(zip(chart["keys"], series["data"], strict=True)) for series in chart["series"]}


def period_of(generated) -> dict:
    return {"from": generated.first_day.isoformat(), "to": generated.last_day.isoformat()}


_DAY = timedelta(days=1)


def in_period(moment: datetime | None, generated) -> bool:
    return moment is not None and beijing(generated.first_day, 0) <= moment < beijing(generated.last_day, 0) + _DAY


def months_of(generated) -> list[str]:
    assert (generated.first_day.isoformat(), generated.last_day.isoformat()) == ("2025-01-01", "2025-06-30")
    return ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]


def rows(app, model):
    with app.app_context():
        return db.session.scalars(select(model)).unique().all()


# ---------------------------------------------------------------- certificates


def certificate_moves(app, generated, district=None):
    with app.app_context():
        districts = dict(db.session.execute(select(Company.id, Company.district_code)).all())
        ledger = db.session.scalars(
            select(CreditEvent).where(CreditEvent.kind == "certificate").order_by(CreditEvent.id)
        ).all()
        events = [
            (
                e.id,
                e.worker_id,
                e.created_at,
                districts.get(e.employer_id or 0, "none"),
                (e.before or {}).get("state"),
                (e.after or {}).get("state"),
            )
            for e in ledger
        ]
    if district:
        events = [e for e in events if e[3] == district]
    moves: Counter = Counter()
    for _, _, at, where, before, after in events:
        if not in_period(at, generated):
            continue
        kind = (
            "issued"
            if (before, after) == ("identity_verified", "issued")
            else after
            if after in ("suspended", "revoked", "expired")
            else None
        )
        if kind:
            moves[(month(at), where, kind)] += 1
    standing: Counter = Counter()
    ends = {m: beijing(datetime.strptime(m + "-01", "%Y-%m-%d").date(), 0) for m in months_of(generated)}
    ends = dict(
        zip(months_of(generated), [*list(ends.values())[1:], beijing(generated.last_day, 0) + _DAY], strict=True)
    )
    for m, end in ends.items():
        latest: dict = {}
        for event_id, worker, at, where, _, after in events:
            if at < end:
                latest[worker] = (event_id, where, after)
        for _, where, after in latest.values():
            if after in ("issued", "suspended"):
                standing[(m, where, f"{after}_at_end")] += 1
    return moves, standing


@pytest.mark.parametrize("district", [None, TIANHE])
def test_certificates_by_month_and_district_are_the_moves_on_the_ledger(client, operator, generated, app, district):
    query = period_of(generated) | ({"district": district} if district else {})
    answer = client.get("/api/v1/statistics/certificates", query_string=query, headers=operator)
    assert answer.status_code == 200, answer.json
    moves, standing = certificate_moves(app, generated, district)
    by_month = by_key(answer.json["by_month"])
    assert answer.json["by_month"]["keys"] == months_of(generated)
    for kind in ("issued", "suspended", "revoked", "expired"):
        assert by_month[kind] == added(moves, kind, 0, months_of(generated)), kind
    for kind in ("issued_at_end", "suspended_at_end"):
        assert by_month[kind] == added(standing, kind, 0, months_of(generated)), kind
    assert sum(by_month["issued"].values()) > 5 and sum(by_month["suspended_at_end"].values()) > 0

    by_district = by_key(answer.json["by_district"])
    assert answer.json["by_district"]["keys"] == ([district] if district else [*DISTRICT_KEYS, "none"])
    for kind in ("issued", "suspended", "revoked", "expired"):
        assert by_district[kind] == added(moves, kind, 1, by_district[kind]), kind
    june = Counter({key: n for key, n in standing.items() if key[0] == "2025-06"})
    assert by_district["issued_at_end"] == added(june, "issued_at_end", 1, by_district["issued_at_end"])


def added(counts: Counter, kind: str, index: int, keys) -> dict:
    """The (month, district, kind) counts of `kind` added up by month (index 0) or district (1)."""
    summed: Counter = Counter()
    for key, n in counts.items():
        if key[2] == kind:
            summed[key[index]] += n
    return {key: summed[key] for key in keys}


DISTRICT_KEYS = [
    "440103",
    "440104",
    "440105",
    "440106",
    "440111",
    "440112",
    "440113",
    "440114",
    "440115",
    "440117",
    "440118",
]


# ---------------------------------------------------------------- workers and companies

BANDS = [(30, "under_30"), (40, "30_39"), (50, "40_49"), (60, "50_59")]


def band(birth_year):
    if birth_year is None:
        return "unknown"
    age = today_in_beijing().year - birth_year
    return next((key for below, key in BANDS if age < below), "60_plus")


@pytest.mark.parametrize("district", [None, TIANHE])
def test_workers_by_gender_age_band_service_and_district(client, operator, generated, app, district):
    answer = client.get(
        "/api/v1/statistics/workers", query_string={"district": district} if district else {}, headers=operator
    )
    assert answer.status_code == 200, answer.json
    workers = [
        (
            w.gender or "unknown",
            band(w.birth_year),
            w.company.district_code if w.company else "none",
            w.service_types,
            w.stars,
        )
        for w in rows(app, Worker)
    ]
    if district:
        workers = [w for w in workers if w[2] == district]
    assert answer.json["total"] == len(workers)
    assert by_key(answer.json["by_gender"])["workers"] == dict(Counter(w[0] for w in workers)) | {
        g: 0 for g in ("male", "female", "unknown") if g not in {w[0] for w in workers}
    }
    by_band = by_key(answer.json["by_age_band"])
    by_service = by_key(answer.json["by_service_type"])
    by_district = by_key(answer.json["by_district"])
    for gender in ("male", "female", "unknown"):
        mine = [w for w in workers if w[0] == gender]
        bands = Counter(w[1] for w in mine)
        assert by_band[gender] == {b: bands[b] for b in by_band[gender]}, gender
        services = Counter(code for w in mine for code in w[3])
        assert by_service[gender] == {s: services[s] for s in by_service[gender]}, gender
        districts = Counter(w[2] for w in mine)
        assert by_district[gender] == {d: districts[d] for d in by_district[gender]}, gender
    assert set(answer.json["by_age_band"]["keys"]) == {"under_30", "30_39", "40_49", "50_59", "60_plus", "unknown"}
    assert sum(by_band["unknown"].values()) == len([w for w in workers if w[0] == "unknown"])
    stars = Counter(str(w[4]) if w[4] is not None else "none" for w in workers)
    assert by_key(answer.json["by_stars"])["workers"] == {key: stars[key] for key in ("1", "2", "3", "4", "5", "none")}


@pytest.mark.parametrize("district", [None, TIANHE])
def test_companies_by_grade_and_district(client, operator, generated, app, district):
    answer = client.get(
        "/api/v1/statistics/companies", query_string={"district": district} if district else {}, headers=operator
    )
    assert answer.status_code == 200, answer.json
    companies = [(c.grade or "ungraded", c.district_code) for c in rows(app, Company)]
    if district:
        companies = [c for c in companies if c[1] == district]
    assert answer.json["total"] == len(companies)
    grades = Counter(grade for grade, _ in companies)
    assert by_key(answer.json["by_grade"])["companies"] == {
        g: grades[g] for g in ("A", "2A", "3A", "4A", "5A", "ungraded")
    }
    for grade, counts in by_key(answer.json["by_district"]).items():
        assert counts == {d: companies.count((grade, d)) for d in counts}, grade


# ---------------------------------------------------------------- bookings


def booking_counts(app, generated, district=None, station=None):
    with app.app_context():
        districts = dict(db.session.execute(select(Station.code, Station.district_code)).all())
        follow_ups = {f.booking_id: f.satisfied for f in db.session.scalars(select(FollowUp))}
        complained = set(db.session.scalars(select(Complaint.booking_id)))
        bookings = [
            (b.station_code, districts[b.station_code], b.status, b.id)
            for b in db.session.scalars(select(Booking))
            if in_period(b.starts_at, generated)
        ]
    per: dict[str, dict[str, Counter]] = {"station": defaultdict(Counter), "district": defaultdict(Counter)}
    for code, where, status, booking_id in bookings:
        if (district and where != district) or (station and code != station):
            continue
        for group, key in (("station", code), ("district", where)):
            counts = per[group][key]
            counts["bookings"] += 1
            counts["completed"] += status == COMPLETED
            counts["cancelled"] += status == CANCELLED
            counts["follow_ups"] += booking_id in follow_ups
            counts["satisfied"] += follow_ups.get(booking_id) is True
            counts["complained"] += booking_id in complained
    return per


def rate(part, whole):
    return round(part / whole, 4) if whole else None


def assert_booking_chart(chart, expected):
    series = by_key(chart)
    for key in chart["keys"]:
        counts = expected.get(key, Counter())
        for name in ("bookings", "completed", "cancelled", "follow_ups", "satisfied", "complained"):
            assert series[name][key] == counts[name], (key, name)
        assert series["completion_rate"][key] == rate(counts["completed"], counts["bookings"])
        assert series["cancellation_rate"][key] == rate(counts["cancelled"], counts["bookings"])
        assert series["satisfaction_rate"][key] == rate(counts["satisfied"], counts["follow_ups"])
        assert series["complaint_rate"][key] == rate(counts["complained"], counts["bookings"])


@pytest.mark.parametrize("district", [None, TIANHE])
def test_bookings_per_station_and_district(client, operator, generated, app, district):
    query = period_of(generated) | ({"district": district} if district else {})
    answer = client.get("/api/v1/statistics/bookings", query_string=query, headers=operator)
    assert answer.status_code == 200, answer.json
    expected = booking_counts(app, generated, district)
    assert answer.json["by_station"]["keys"] == sorted(expected["station"])
    assert len(answer.json["by_station"]["keys"]) >= (2 if district else 4)
    assert_booking_chart(answer.json["by_station"], expected["station"])
    assert_booking_chart(answer.json["by_district"], expected["district"])


def test_station_staff_see_their_own_stations_booking_figures(client, login, generated, app):
    own = generated.station_codes[0]
    staff = login("station_staff", station_code=own)
    answer = client.get("/api/v1/statistics/bookings", query_string=period_of(generated), headers=staff)
    assert answer.status_code == 200, answer.json
    assert answer.json["station_code"] == own
    assert answer.json["by_station"]["keys"] == [own]
    assert_booking_chart(answer.json["by_station"], booking_counts(app, generated, station=own)["station"])
    assert_booking_chart(answer.json["by_district"], booking_counts(app, generated, station=own)["district"])

    other = client.get(
        "/api/v1/statistics/bookings",
        query_string=period_of(generated) | {"station": generated.station_codes[1]},
        headers=staff,
    )
    assert other.status_code == 403
    assert other.json["code"] == "not_station_staff" and "station" in other.json["errors"]


# ---------------------------------------------------------------- complaint handling


def nearest_rank(values, percent):
    ordered = sorted(values)
    return ordered[math.ceil(percent * len(ordered) / 100) - 1]


@pytest.mark.parametrize("district", [None, TIANHE])
def test_complaint_handling_times_by_month(client, operator, generated, app, district):
    query = period_of(generated) | ({"district": district} if district else {})
    answer = client.get("/api/v1/statistics/complaints", query_string=query, headers=operator)
    assert answer.status_code == 200, answer.json
    with app.app_context():
        districts = dict(db.session.execute(select(Station.code, Station.district_code)).all())
        now = utcnow()
        complaints = [
            (
                in_beijing(c.submitted_at).strftime("%Y-%m"),
                c.decided_at and (c.decided_at - c.submitted_at).total_seconds() / 3600,
                late(c.accepted_at, c.respond_by, now),
                late(c.decided_at, c.resolve_by, now),
            )
            for c in db.session.scalars(select(Complaint))
            if in_period(c.submitted_at, generated) and (not district or districts[c.booking.station_code] == district)
        ]
    series = by_key(answer.json["by_month"])
    decided_somewhere = 0
    for m in months_of(generated):
        mine = [hours for when, hours, _, _ in complaints if when == m]
        decided = [hours for hours in mine if hours is not None]
        assert series["answered_late"][m] == sum(answered for when, _, answered, _ in complaints if when == m)
        assert series["decided_late"][m] == sum(decided_late for when, _, _, decided_late in complaints if when == m)
        assert series["received"][m] == len(mine)
        assert series["decided"][m] == len(decided)
        assert series["open"][m] == len(mine) - len(decided)
        if decided:
            decided_somewhere += 1
            assert series["p50_hours"][m] == pytest.approx(nearest_rank(decided, 50), abs=0.01)
            assert series["p90_hours"][m] == pytest.approx(nearest_rank(decided, 90), abs=0.01)
        else:
            assert series["p50_hours"][m] is None and series["p90_hours"][m] is None
    assert decided_somewhere >= 3
    assert sum(decided_late for *_, decided_late in complaints) > 0  # the deadlines' series are not all zero


def test_a_districts_complaint_figures_read_no_booking(client, operator, generated, rows_read):
    """A complaint keeps its booking's station: its district is found without the booking."""
    query = period_of(generated) | {"district": TIANHE}
    with rows_read("bookings") as read:
        answer = client.get("/api/v1/statistics/complaints", query_string=query, headers=operator)
    assert answer.status_code == 200
    assert sum(by_key(answer.json["by_month"])["received"].values()) > 0
    assert read() == 0


def late(done_at, due_by, now) -> bool:
    """Done after its deadline, or not done and past it: counted by hand."""
    return due_by is not None and (done_at > due_by if done_at is not None else due_by < now)


# ---------------------------------------------------------------- training


def test_training_enrolments_attendance_and_pass_rates_by_month_and_course(client, operator, generated, app):
    answer = client.get("/api/v1/statistics/training", query_string=period_of(generated), headers=operator)
    assert answer.status_code == 200, answer.json
    with app.app_context():
        course_of_class = dict(db.session.execute(select(TrainingClass.id, TrainingClass.course_id)).all())
        class_of_session = dict(db.session.execute(select(ClassSession.id, ClassSession.class_id)).all())
        course_of_exam = dict(db.session.execute(select(Exam.id, Exam.course_id)).all())
        facts = {
            "enrolments": [
                (month(e.created_at), course_of_class[e.class_id])
                for e in db.session.scalars(select(Enrolment))
                if in_period(e.created_at, generated)
            ],
            "completions": [
                (e.completed_on.strftime("%Y-%m"), course_of_class[e.class_id])
                for e in db.session.scalars(select(Enrolment))
                if e.completed_on and generated.first_day <= e.completed_on <= generated.last_day
            ],
            "attendances": [
                (month(a.at), course_of_class[class_of_session[a.session_id]])
                for a in db.session.scalars(select(Attendance))
                if in_period(a.at, generated)
            ],
        }
        attempts = [
            (in_beijing(a.submitted_at).strftime("%Y-%m"), course_of_exam[a.exam_id], a.worker_id, bool(a.passed))
            for a in db.session.scalars(select(Attempt))
            if a.submitted_at is not None and in_period(a.submitted_at, generated)
        ]
    by_month, by_course = by_key(answer.json["by_month"]), by_key(answer.json["by_course"])
    for name, found in facts.items():
        months = Counter(m for m, _ in found)
        assert by_month[name] == {m: months[m] for m in months_of(generated)}, name
        courses = Counter(str(c) for _, c in found)
        assert by_course[name] == {c: courses[c] for c in by_course[name]}, name
    # A worker counts once per course and month; a course's figure adds its months' up.
    results: dict[tuple, bool] = defaultdict(bool)
    for attempt in attempts:
        results[attempt[:3]] = results[attempt[:3]] or attempt[3]
    for index, key in ((0, "month"), (1, "course")):
        sat: Counter = Counter()
        passed: Counter = Counter()
        for group, did_pass in results.items():
            sat[str(group[index])] += 1
            passed[str(group[index])] += did_pass
        chart = by_month if key == "month" else by_course
        assert chart["sat"] == {k: sat[k] for k in chart["sat"]}, key
        assert chart["passed"] == {k: passed[k] for k in chart["passed"]}, key
        assert chart["pass_rate"] == {k: rate(passed[k], sat[k]) for k in chart["pass_rate"]}, key
    assert len(answer.json["by_course"]["keys"]) >= 2
    names = {series["key"]: series["name"] for series in answer.json["by_course"]["series"]}
    assert (names["sat"], names["passed"]) == ("参加考核（各月人次相加）", "考核通过（各月人次相加）")


@pytest.mark.parametrize("route", ["certificates", "workers", "companies", "bookings", "complaints", "training"])
def test_a_figure_costs_the_same_statements_over_no_rows_as_over_many(
    client, operator, generated, route, count_statements
):
    """Counted by the database: the statements do not grow with the rows they count (a period or,
    for the figures of today, a district, holding none of them, and the whole generated set)."""
    client.get(f"/api/v1/statistics/{route}", headers=operator)  # the caller's session, read once
    empty = {"district": "440117"} if route in ("workers", "companies") else {"from": "2020-01-01", "to": "2020-06-30"}
    full = {} if route in ("workers", "companies") else period_of(generated)
    counted = []
    for period in (empty, full):
        with count_statements() as statements:
            answer = client.get(f"/api/v1/statistics/{route}", query_string=period, headers=operator)
        assert answer.status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1] <= 12
