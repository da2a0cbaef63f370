"""The figures are for operators (station staff: their own station's booking figures only), and
a query that makes no sense is a 422 naming its field, never a 500."""

import pytest

from tests.factories import STATION_A

ROUTES = ["certificates", "workers", "companies", "bookings", "complaints", "training"]


@pytest.fixture
def callers(login, make_company, make_applicant):
    company = make_company()
    worker = make_applicant(company_id=company["id"])
    return {
        "anonymous": {},
        "resident": login(),
        "company_admin": login("company_admin", company_id=company["id"]),
        "worker": login("worker", worker_id=worker["id"]),
        "station_staff": login("station_staff", station_code=STATION_A),
        "operator": login("operator"),
    }


@pytest.mark.parametrize("route", ROUTES)
def test_only_operators_and_for_bookings_station_staff_may_read_the_figures(client, callers, route):
    expected = {
        "anonymous": 401,
        "resident": 403,
        "company_admin": 403,
        "worker": 403,
        "station_staff": 200 if route == "bookings" else 403,
        "operator": 200,
    }
    answers = {
        caller: client.get(f"/api/v1/statistics/{route}", headers=headers).status_code
        for caller, headers in callers.items()
    }
    assert answers == expected


PERIOD_ROUTES = ["certificates", "bookings", "complaints", "training"]


@pytest.mark.parametrize("route", PERIOD_ROUTES)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-03-01", "to": "2025-02-28"}, "from"),
        ({"from": "2025-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2000-01-01", "to": "2025-01-01"}, "from"),  # more than ten years of months
        ({"month": "2025-01"}, "month"),
    ],
)
def test_a_period_that_makes_no_sense_is_a_422_naming_the_field(client, operator, route, query, field):
    answer = client.get(f"/api/v1/statistics/{route}", query_string=query, headers=operator)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]


@pytest.mark.parametrize("route", ["certificates", "workers", "companies", "bookings", "complaints"])
def test_a_district_is_named_by_code_or_name_and_an_unknown_one_is_a_422(client, operator, route):
    unknown = client.get(f"/api/v1/statistics/{route}", query_string={"district": "440199"}, headers=operator)
    assert unknown.status_code == 422 and "district" in unknown.json["errors"]
    by_name = client.get(f"/api/v1/statistics/{route}", query_string={"district": "天河区"}, headers=operator)
    assert by_name.status_code == 200, by_name.json
    assert by_name.json["district_code"] == "440106"


def test_an_unknown_or_malformed_station_is_a_422_naming_it(client, operator):
    for station in ("440106999999", "五山"):
        answer = client.get("/api/v1/statistics/bookings", query_string={"station": station}, headers=operator)
        assert answer.status_code == 422, answer.json
        assert "station" in answer.json["errors"]


def test_without_dates_a_figure_covers_the_twelve_months_up_to_today(client, operator):
    from app.clock import today_in_beijing

    today = today_in_beijing()
    answer = client.get("/api/v1/statistics/certificates", headers=operator)
    assert answer.status_code == 200
    months = answer.json["by_month"]["keys"]
    assert len(months) == 12 and months[-1] == today.strftime("%Y-%m")
    assert answer.json["to"] == today.isoformat() and answer.json["from"] == months[0] + "-01"


def test_a_chart_names_what_it_counts_in_chinese_unless_english_is_asked_for(client, operator):
    chinese = client.get("/api/v1/statistics/workers", headers=operator).json["by_gender"]
    assert chinese["keys"] == ["male", "female", "unknown"]
    assert chinese["labels"] == ["男", "女", "未知"]
    assert chinese["series"][0]["name"] == "人数"
    english = client.get("/api/v1/statistics/workers", headers=operator | {"Accept-Language": "en"}).json["by_gender"]
    assert english["labels"] == ["male", "female", "unknown"]
