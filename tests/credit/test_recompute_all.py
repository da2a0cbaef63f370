"""`flask credit recompute-all` after a change of scoring.toml, an event re-banding its company among
the others' stored scores, and the explanation naming the rank; a worker's stars reading the
employer's grade and the code's colour."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from credit import scoring
from credit.models import Company, Worker
from credit.scoring import SCORING_FILE, current_config
from tests.factories import GREEN_CHECKS, statements_on

SHIPPED = SCORING_FILE.read_text(encoding="utf-8")
SHIPPED_VERSION = f'version = "{current_config().version}"'
THREE_BANDS = (
    ("min_cohort = 30", "min_cohort = 3"),
    (
        'bands = [[5, "5A"], [15, "4A"], [30, "3A"], [30, "2A"]]',
        'bands = [[30, "5A"], [30, "3A"]]',
    ),
)
EMPLOYER_LEVEL = '  { kind = "employer_grade", mode = "employer_level", points = 1, center = 3 },\n'


@pytest.fixture
def scoring_file(monkeypatch, tmp_path):
    """use(*replacements): scoring.toml with those replacements, for the app as at start-up."""

    def use(*replacements):
        text = SHIPPED
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        path = tmp_path / "scoring.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(scoring, "SCORING_FILE", path)
        scoring.current_config.cache_clear()

    yield use
    monkeypatch.undo()
    scoring.current_config.cache_clear()


@pytest.fixture
def assess(client, operator):
    """assess(company, value): strength and management assessed at `value` (points 0.5 each)."""

    def post(company, value):
        for kind in ("strength_assessment", "management_assessment"):
            response = client.post(
                f"/api/v1/companies/{company['id']}/credit-events",
                json={"kind": kind, "value": value, "reason": "评估"},
                headers=operator,
            )
            assert response.status_code == 201, response.json

    return post


def rows(app):
    """Every stored level: (kind, id, level, score, version, computed_at)."""
    with app.app_context():
        companies = db.session.execute(
            select(Company.id, Company.grade, Company.credit_score, Company.credit_config_version)
        )
        workers = db.session.execute(select(Worker.id, Worker.stars, Worker.credit_score, Worker.credit_config_version))
        stored = {("company", *row[:1]): tuple(row[1:]) for row in companies}
        stored |= {("worker", *row[:1]): tuple(row[1:]) for row in workers}
        computed_at = [str(at) for at in db.session.scalars(select(Worker.credit_computed_at))]
        computed_at += [str(at) for at in db.session.scalars(select(Company.credit_computed_at))]
        return stored, sorted(computed_at)


def credit_of(client, operator, company):
    return client.get(f"/api/v1/companies/{company['id']}/credit", headers=operator).json


def grade_of(client, company):
    return client.get(f"/api/v1/companies/{company['id']}").json["grade"]


def test_recompute_all_reports_progress_and_a_second_run_changes_nothing(
    app, cli, isolated, make_company, make_issued, assess, scoring_file
):
    # Without decay the levels stay the same an hour later: a second run an hour on has nothing
    # to write, not even the time of the computation.
    scoring_file(("half_life_days = 730\n", ""))
    first, second = make_company(), make_company()
    assess(first, 100)
    for company in (first, first, second):
        make_issued(company_id=company["id"])
    make_issued()  # no employer
    now = utcnow()
    with time_machine.travel(now, tick=False):
        result = cli("credit", "recompute-all")
    assert result.exit_code == 0, result.output
    assert "companies scored: " in result.stderr and "companies graded: " in result.stderr
    assert "workers: " in result.stderr
    assert "Recomputed under scoring version" in result.stdout and "workers: " not in result.stdout
    before = rows(app)
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        with statements_on(isolated, keep=lambda statement: statement.startswith("UPDATE")) as updates:
            again = cli("credit", "recompute-all")
    assert again.exit_code == 0, again.output
    assert updates == []
    assert "in 1 round: 0 companies and 0 workers changed." in again.stdout
    assert rows(app) == before


def test_a_change_of_version_recomputes_every_level_from_the_ledger(
    app, cli, client, operator, make_company, make_issued, scoring_file
):
    company = make_company()
    employed, alone = make_issued(company_id=company["id"]), make_issued()
    assert grade_of(client, company) != "5A"
    scoring_file(
        (SHIPPED_VERSION, 'version = "test-generous"'),
        ('levels = [[0, "1"], [45, "2"], [60, "3"], [75, "4"], [90, "5"]]', 'levels = [[0, "1"], [1, "5"]]'),
        ('levels = [[0, "A"], [50, "2A"], [65, "3A"], [78, "4A"], [90, "5A"]]', 'levels = [[0, "A"], [1, "5A"]]'),
        ('levels_by = "rank"\n', ""),
    )
    result = cli("credit", "recompute-all")
    assert result.exit_code == 0, result.output
    stored, _ = rows(app)
    assert {version for _, _, version in stored.values()} == {"test-generous"}
    assert f"{sum(1 for kind, _ in stored if kind == 'company')} companies and" in result.stdout
    assert grade_of(client, company) == "5A"
    for worker in (employed, alone):
        assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["stars"] == 5


def test_an_event_rebands_its_company_among_the_stored_scores_and_recompute_all_rebands_the_others(
    cli, client, operator, make_company, make_issued, assess, scoring_file
):
    # 3 active companies are enough: the top 30% 5A, the next 30% 3A, the rest A; the workers' stars
    # do not read the grade here, so that equal assessments give equal scores.
    scoring_file(*THREE_BANDS, (EMPLOYER_LEVEL, ""))
    best, middle, last = make_company(), make_company(), make_company()
    for company, value in ((best, 100), (middle, 0), (last, -100)):
        assess(company, value)
        make_issued(company_id=company["id"])
    assert cli("credit", "recompute-all").exit_code == 0
    assert [grade_of(client, c) for c in (best, middle, last)] == ["5A", "3A", "A"]
    assess(last, 100)  # now level with the best: equal scores, equal grades
    assert grade_of(client, last) == "5A"
    explained = credit_of(client, operator, last)["rank"]
    assert (explained["percentile"], explained["cohort_size"], explained["band"]["level"]) == (0.0, 3, "5A")
    assert grade_of(client, middle) == "3A"  # stored, until it is recomputed
    assert credit_of(client, operator, middle)["level"] == "A"  # two of three above it now
    assert cli("credit", "recompute-all").exit_code == 0
    assert [grade_of(client, c) for c in (best, middle, last)] == ["5A", "A", "5A"]


def test_a_company_whose_last_certified_worker_is_suspended_leaves_the_cohort_the_others_rank_in(
    cli, client, operator, make_company, make_issued, assess, scoring_file, step
):
    # Each company's place in the cohort is stored with its grade: the others read it there.
    scoring_file(*THREE_BANDS, (EMPLOYER_LEVEL, ""))
    best, middle, last = make_company(), make_company(), make_company()
    workers = {}
    for company, value in ((best, 100), (middle, 0), (last, -100)):
        assess(company, value)
        workers[company["id"]] = make_issued(company_id=company["id"])
    assert cli("credit", "recompute-all").exit_code == 0
    assert credit_of(client, operator, best)["rank"]["cohort_size"] == 3
    step(workers[last["id"]]["id"], "suspend", {"reason": "严重投诉调查中"})  # its only worker
    assert credit_of(client, operator, last)["rank"]["fallback"] == "not_in_cohort"
    assert credit_of(client, operator, best)["rank"]["cohort_size"] == 2
    step(workers[last["id"]]["id"], "reinstate", {"reason": "调查结束"})
    assert credit_of(client, operator, best)["rank"]["cohort_size"] == 3


def test_the_explanation_shows_the_rank_or_the_fallback(client, operator, make_company, make_issued, scoring_file):
    ranked, idle = make_company(), make_company()
    make_issued(company_id=ranked["id"])
    small = credit_of(client, operator, ranked)["rank"]
    assert (small["fallback"], small["band"], small["min_cohort"]) == ("small_cohort", None, 30)
    assert small["cohort_size"] >= 1 and "少于排名所需的30家" in small["note"]
    outside = credit_of(client, operator, idle)["rank"]
    assert (outside["fallback"], outside["percentile"], outside["band"]) == ("not_in_cohort", None, None)
    assert "未参加排名" in outside["note"]
    scoring_file(("min_cohort = 30", "min_cohort = 1"))
    banded = credit_of(client, operator, ranked)["rank"]
    assert banded["fallback"] is None and banded["band"]["level"] == credit_of(client, operator, ranked)["level"]
    assert f"共{banded['cohort_size']}家活跃企业中" in banded["note"]
    english = client.get(f"/api/v1/companies/{ranked['id']}/credit", headers=operator | {"Accept-Language": "en"}).json[
        "rank"
    ]["note"]
    assert "active companies score higher" in english
    worker = make_issued()
    assert client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json["rank"] is None


def _input(explanation, mode):
    return next(i for d in explanation["dimensions"] for i in d["inputs"] if i["mode"] == mode)


def test_a_worker_of_a_better_graded_company_scores_more(client, operator, make_company, make_issued, assess):
    good, poor = make_company(), make_company()
    assess(good, 100)
    assess(poor, -100)
    item = next(
        i
        for d in current_config().subjects["worker"]["dimensions"]
        for i in d["inputs"]
        if i["mode"] == "employer_level"
    )
    contribution = {}
    for company in (good, poor):
        worker = make_issued(company_id=company["id"])
        explained = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json
        level = ["A", "2A", "3A", "4A", "5A"].index(grade_of(client, company)) + 1  # A counts 1
        assert _input(explained, "employer_level")["contribution"] == item["points"] * (level - item["center"])
        contribution[company["id"]] = _input(explained, "employer_level")["contribution"]
    assert contribution[good["id"]] > contribution[poor["id"]]
    unemployed = client.get(f"/api/v1/workers/{make_issued()['id']}/credit", headers=operator).json
    assert _input(unemployed, "employer_level")["contribution"] == 0


def test_a_worker_whose_code_turns_green_scores_more_at_once(client, operator, make_issued, record_check):
    worker = make_issued(checks=[])  # issued, but no background check and no insurance: yellow
    yellow = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json
    assert _input(yellow, "code_colour")["contribution"] < 0
    for body in GREEN_CHECKS:
        assert record_check(worker["id"], body).status_code == 201
    green = client.get(f"/api/v1/workers/{worker['id']}/credit", headers=operator).json
    assert _input(green, "code_colour")["contribution"] == 0
    assert green["score"] > yellow["score"] and green["stored_level"] == green["level"]
    assert client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["credit_score"] == green["score"]


def test_a_second_round_recomputes_only_the_workers_of_the_companies_regraded(
    app, cli, client, operator, make_company, make_issued, scoring_file
):
    # Three companies level on their workers' stored stars all grade 5A; the first round gives the
    # workers of two of them a breach's one star, their grade falls to 3A, and only those two
    # workers read a grade that moved.
    scoring_file(*THREE_BANDS)
    ahead, behind, also_behind = make_company(), make_company(), make_company()
    make_issued(company_id=ahead["id"])
    for company in (behind, also_behind):
        worker = make_issued(company_id=company["id"])
        response = client.post(
            f"/api/v1/workers/{worker['id']}/credit-events",
            json={"kind": "breach", "value": 1, "reason": "失信"},
            headers=operator,
        )
        assert response.status_code == 201, response.json
    with app.app_context():
        db.session.execute(update(Worker).values(stars=4))  # as a former version left them
        db.session.commit()
    result = cli("credit", "recompute-all")
    assert result.exit_code == 0, result.output
    rounds = [line for line in result.stderr.splitlines() if line.startswith("workers: ")]
    assert rounds == ["workers: 3/3", "workers: 2/2"]
    assert "in 2 rounds" in result.stdout
    assert [grade_of(client, c) for c in (ahead, behind, also_behind)] == ["5A", "3A", "3A"]
