"""A complaint the rollup does not hold yet, through its life: filed, it counts received and not yet
decided in its month and its station's district (and no other); answered after its response
deadline, late; its decision deadline passing with nothing written, late again; decided, decided
with its hours; then rolled up, the same. Its month is the Beijing month it was filed in, also
when that is the next month in UTC. At every step the figures are those counted from the rows."""

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from accounts.models import OPERATOR, User
from app.clock import today_in_beijing, utcnow
from app.extensions import db
from booking.models import Booking, Complaint
from complaints.handling import filed, handle
from complaints.models import ACCEPTED
from stations.models import Station
from tests.factories import complaint_about, make_user, plan_nodes, statements_with_parameters
from tests.plugins.statistics import beijing
from tests.statistics.test_figures_match_a_count_by_hand import TIANHE, by_key, period_of
from tests.statistics.test_rollups import answered, counted_from_the_rows

ANOTHER_DISTRICT = "440104"  # 越秀区: no station of the complaint's
SERIES = ("received", "decided", "open", "answered_late", "decided_late", "p50_hours", "p90_hours")


def later(**elapsed):
    return time_machine.travel(utcnow() + timedelta(**elapsed), tick=True)


def a_booking_in(district: str) -> Booking:
    return db.session.scalars(
        select(Booking)
        .join(Station, Station.code == Booking.station_code)
        .where(Station.district_code == district)
        .order_by(Booking.id)
        .limit(1)
    ).one()


class Figures:
    """The month's figures of a period, for the city, the complaint's district and another,
    each checked against those counted from the rows."""

    def __init__(self, client, isolated, operator, period: dict, month: str):
        self.client, self.isolated, self.operator, self.period, self.month = client, isolated, operator, period, month

    def read(self) -> dict[str | None, dict[str, float | None]]:
        figures = {}
        for district in (None, TIANHE, ANOTHER_DISTRICT):
            query = self.period | ({"district": district} if district else {})
            answer = answered(self.client, self.operator, "complaints", query)
            assert answer == counted_from_the_rows(self.client, self.isolated, self.operator, "complaints", query)
            month = by_key(answer["by_month"])
            figures[district] = {key: month[key][self.month] for key in SERIES}
        return figures


def moved(before: dict, after: dict) -> dict:
    """{district: {series: change}} of the counts that changed."""
    return {
        district: {
            key: after[district][key] - before[district][key]
            for key in SERIES[:5]
            if after[district][key] != before[district][key]
        }
        for district in before
    }


@pytest.fixture
def this_month(client, isolated, operator, generated) -> Figures:
    today = today_in_beijing()
    period = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    return Figures(client, isolated, operator, period, f"{today:%Y-%m}")


def test_a_complaint_counts_received_late_and_decided_as_it_moves_before_and_after_the_rollup(cli, app, this_month):
    cli("statistics", "roll-up")
    with app.app_context():
        operator = make_user(OPERATOR)
        complaint = complaint_about(a_booking_in(TIANHE))
        db.session.flush()
        complaint_id, operator_id = filed(complaint, operator).id, operator.id
        db.session.commit()
    start = this_month.read()
    assert start[TIANHE]["received"] >= 1 and start[TIANHE]["open"] >= 1

    def step(change):
        with app.app_context():
            change(db.session.get_one(Complaint, complaint_id), db.session.get_one(User, operator_id))
            db.session.commit()

    with later(hours=25):  # past its response deadline (a day, ordinary)
        before = this_month.read()
        assert moved(start, before) == {None: {"answered_late": 1}, TIANHE: {"answered_late": 1}, ANOTHER_DISTRICT: {}}
        step(lambda complaint, actor: handle(complaint, "accept", actor, None))
        with app.app_context():
            assert db.session.get_one(Complaint, complaint_id).status == ACCEPTED
        assert this_month.read() == before  # answered, late: as it counted unanswered

        with later(days=7):  # past its decision deadline (a week), nothing written
            overdue = this_month.read()
            assert moved(before, overdue) == {
                None: {"decided_late": 1},
                TIANHE: {"decided_late": 1},
                ANOTHER_DISTRICT: {},
            }

            step(lambda complaint, actor: handle(complaint, "dismiss", actor, "查无实据"))
            decided = this_month.read()
            assert moved(overdue, decided) == {
                None: {"decided": 1, "open": -1},
                TIANHE: {"decided": 1, "open": -1},
                ANOTHER_DISTRICT: {},
            }
            assert decided[TIANHE]["p90_hours"] is not None

            with later(minutes=30):
                cli("statistics", "roll-up")  # now held by the rollup
                assert this_month.read() == decided


def test_a_complaint_counts_in_the_beijing_month_it_was_filed_in(cli, app, client, isolated, operator, generated):
    """Filed at 07:30 on 1 April in Beijing, 23:30 on 31 March in UTC: April's, undecided, before
    the job runs and after."""
    cli("statistics", "roll-up")
    period = period_of(generated)
    march, april = (Figures(client, isolated, operator, period, month) for month in ("2025-03", "2025-04"))
    before = {"2025-03": march.read(), "2025-04": april.read()}
    with app.app_context():
        submitted_at = beijing(date(2025, 4, 1), 7, 30)
        assert submitted_at.month == 3  # in UTC
        complaint_about(
            a_booking_in(TIANHE),
            submitted_at=submitted_at,
            severity="ordinary",
            respond_by=submitted_at + timedelta(days=1),
            resolve_by=submitted_at + timedelta(days=7),
        )
        db.session.commit()
    filed_in = {
        district: {}
        if district == ANOTHER_DISTRICT
        else {"received": 1, "open": 1, "answered_late": 1, "decided_late": 1}
        for district in (None, TIANHE, ANOTHER_DISTRICT)
    }
    assert march.read() == before["2025-03"]
    assert moved(before["2025-04"], april.read()) == filed_in
    with later(minutes=30):
        cli("statistics", "roll-up")
        assert march.read() == before["2025-03"]
        assert moved(before["2025-04"], april.read()) == filed_in


@pytest.mark.parametrize("district", [None, TIANHE])
def test_the_undecided_complaints_are_counted_from_their_index_without_reading_one(
    cli, client, isolated, operator, generated, district
):
    """However many wait to be decided (each on a heap page of its own at city scale), a month the
    rollup holds counts them from their index alone (the rows' pages read only for those written
    since the table was last vacuumed), a district's among its stations' codes."""
    cli("statistics", "roll-up")
    query = period_of(generated) | ({"district": district} if district else {})
    with statements_with_parameters(isolated) as sent:
        answered(client, operator, "complaints", query)
    if isolated.dialect.name != "postgresql":
        return
    (statement, parameters), *others = [(s, p) for s, p in sent if "decided_at IS NULL" in s]
    assert not others
    # Only scans of an index alone left to the planner (here most complaints wait, not 2 % as in a
    # city): the statement reads nothing of them the index does not hold.
    isolated.exec_driver_sql("SET LOCAL enable_indexscan = off")
    isolated.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    scans = [node for node in plan_nodes(isolated, statement, parameters) if "Relation Name" in node]
    undecided = [node for node in scans if node.get("Index Name") == "ix_booking_complaints_undecided"]
    assert [node["Node Type"] for node in undecided] == ["Index Only Scan"]
    assert not [node for node in scans if node["Relation Name"] == "stations" and node["Actual Loops"] > 1]
