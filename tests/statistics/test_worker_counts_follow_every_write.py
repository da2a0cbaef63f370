"""The workers' figures are read from counts the database keeps in the transaction of every write
(migration 0034's triggers), not from the workers: after any sequence of writes — registering,
moving company through the API or by a plain update, changing services, re-starring by the ledger,
by the ORM or by a Core update over many rows as a recompute writes, a company moving district,
demographics cleared by hand, a row inserted and deleted by SQL — every figure equals the same
figure counted from the rows, at once."""

import random
from collections import Counter
from typing import cast

import pytest
from sqlalchemy import func, select, text, update

from app.extensions import db
from credit.models import Company, Worker
from credit.service_types import SERVICE_TYPES
from tests.factories import new_id_number, statements_with_parameters
from tests.statistics.test_figures_match_a_count_by_hand import TIANHE, band, by_key

DISTRICTS = (TIANHE, "440103", "440111")
SERVICES = list(SERVICE_TYPES)


def counted_from_rows(app, district):
    """Each chart of the workers' figures counted in Python from the workers and their companies."""
    with app.app_context():
        where = dict(db.session.execute(select(Company.id, Company.district_code)).all())
        rows = db.session.execute(
            select(Worker.gender, Worker.birth_year, Worker.company_id, Worker.service_types, Worker.stars)
        ).all()
    workers = [
        (gender or "unknown", band(year), where[company] if company else "none", services, stars)
        for gender, year, company, services, stars in rows
    ]
    if district:
        workers = [w for w in workers if w[2] == district]
    genders = ("male", "female", "unknown")
    return {
        "total": len(workers),
        "by_gender": {"workers": Counter(w[0] for w in workers)},
        "by_age_band": {g: Counter(w[1] for w in workers if w[0] == g) for g in genders},
        "by_district": {g: Counter(w[2] for w in workers if w[0] == g) for g in genders},
        "by_service_type": {g: Counter(code for w in workers if w[0] == g for code in w[3]) for g in genders},
        "by_stars": {"workers": Counter(str(w[4]) if w[4] is not None else "none" for w in workers)},
    }


def assert_figures_are_the_rows(client, operator, app, after):
    for district in (None, TIANHE):
        answer = client.get(
            "/api/v1/statistics/workers", query_string={"district": district} if district else {}, headers=operator
        )
        assert answer.status_code == 200, answer.json
        expected = counted_from_rows(app, district)
        assert answer.json["total"] == expected["total"], after
        for name in ("by_gender", "by_age_band", "by_district", "by_service_type", "by_stars"):
            for series, values in by_key(answer.json[name]).items():
                assert values == {key: expected[name][series][key] for key in values}, (after, district, name, series)


@pytest.fixture
def writes(client, operator, app, make_company, make_applicant, login):
    """The writes a random sequence draws from, each a function of the random source and the
    workers registered so far ([id, id number], and a mark once moved past the API)."""
    companies = [make_company(district_code=district) for district in (*DISTRICTS, TIANHE)]

    def services(rng):
        return rng.sample(SERVICES, rng.randrange(0, 4))

    def register(rng, workers):
        birth = f"{rng.randrange(1955, 2006)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        id_number = new_id_number(birth)
        company = rng.choice([*companies, None])
        worker = make_applicant(id_number=id_number, service_types=services(rng), company_id=company and company["id"])
        workers.append([worker["id"], id_number])

    def change_services(rng, workers):
        worker_id = rng.choice(workers)[0]
        answer = client.patch(f"/api/v1/workers/{worker_id}", json={"service_types": services(rng)}, headers=operator)
        assert answer.status_code == 200, answer.json

    def move_through_the_api(rng, workers):
        """The employment ends; another company registers the worker, who accepts its offer."""
        employed = [worker for worker in workers if len(worker) == 2]
        if not employed:
            return
        worker_id, id_number = rng.choice(employed)
        client.post(f"/api/v1/workers/{worker_id}/employment/end", json={"reason": "合同到期"}, headers=operator)
        if rng.random() < 0.3:
            return  # and works for no company for now
        target = rng.choice(companies)
        offered = client.post(
            "/api/v1/workers",
            json={"name": "张秀梅", "id_number": id_number, "company_id": target["id"]},
            headers=operator,
        )
        assert offered.status_code == 202, offered.json
        own = login("worker", worker_id=worker_id)
        accepted = client.post(f"/api/v1/me/worker/offers/{offered.json['id']}/accept", headers=own)
        assert accepted.status_code == 200, accepted.json

    def move_by_an_update(rng, workers):
        """company_id written by a Core update, past the employments (the worker is left out of
        the moves through the API from then on)."""
        chosen = rng.choice(workers)
        target = rng.choice([*companies, None])
        with app.app_context():
            db.session.execute(update(Worker).where(Worker.id == chosen[0]).values(company_id=target and target["id"]))
            db.session.commit()
        chosen.append("moved by hand")

    def restar_by_the_ledger(rng, workers):
        worker_id = rng.choice(workers)[0]
        event = rng.choice([{"kind": "breach"}, {"kind": "complaint_upheld"}, {"kind": "rating", "value": 5}])
        answer = client.post(
            f"/api/v1/workers/{worker_id}/credit-events", json=event | {"reason": "随机"}, headers=operator
        )
        assert answer.status_code == 201, answer.json

    def restar_by_the_orm(rng, workers):
        worker_id = rng.choice(workers)[0]
        with app.app_context():
            worker = db.session.get_one(Worker, worker_id)
            worker.stars = rng.choice([1, 2, 3, 4, 5, None])
            db.session.commit()

    def restar_many_by_core(rng, workers):
        chosen = [worker[0] for worker in rng.sample(workers, min(len(workers), 4))]
        with app.app_context():
            db.session.execute(
                update(Worker).where(Worker.id.in_(chosen)).values(stars=rng.choice([1, 2, 3, 4, 5, None]))
            )
            db.session.commit()

    def company_moves_district(rng, workers):
        company = rng.choice(companies)
        with app.app_context():
            db.session.execute(
                text("UPDATE companies SET district_code = :district WHERE id = :id"),
                {"district": rng.choice(DISTRICTS), "id": company["id"]},
            )
            db.session.commit()

    def demographics_cleared_by_hand(rng, workers):
        worker_id = rng.choice(workers)[0]
        with app.app_context():
            db.session.execute(
                text("UPDATE workers SET gender = NULL, birth_year = NULL WHERE id = :id"), {"id": worker_id}
            )
            db.session.commit()

    def inserted_and_deleted_by_sql(rng, workers):
        """A row written by hand (no certificate, no ledger), which can be deleted again."""
        with app.app_context():
            inserted = db.session.execute(
                text(
                    "INSERT INTO workers (name, id_number, id_number_hash, service_types, skills, "
                    "years_of_experience, rating_count, upheld_complaints, gender, birth_year, stars, company_id, "
                    "created_at, updated_at) VALUES ('x', 'x', :hash, :services, '[]', 0, 0, 0, 'female', 1975, 4, "
                    ":company, '2026-01-01', '2026-01-01') RETURNING id"
                ),
                {
                    "hash": f"by-hand-{rng.random()}",
                    # and a name the vocabulary does not know (a row older than it): kept, not charted
                    "services": f'["{rng.choice(SERVICES)}", "插花"]',
                    "company": rng.choice(companies)["id"],
                },
            ).scalar_one()
            db.session.commit()
            if rng.random() < 0.5:
                db.session.execute(text("DELETE FROM workers WHERE id = :id"), {"id": inserted})
                db.session.commit()

    return [
        register,
        change_services,
        move_through_the_api,
        move_by_an_update,
        restar_by_the_ledger,
        restar_by_the_orm,
        restar_many_by_core,
        company_moves_district,
        demographics_cleared_by_hand,
        inserted_and_deleted_by_sql,
    ]


@pytest.mark.parametrize("seed", [20261202, 7])
def test_the_figures_are_the_rows_after_any_sequence_of_writes(client, operator, app, writes, seed):
    rng = random.Random(seed)
    workers: list[list] = []
    register = writes[0]
    for _ in range(4):
        register(rng, workers)
    assert_figures_are_the_rows(client, operator, app, "registered")
    for number in range(36):
        write = rng.choice(writes)
        write(rng, workers)
        if number % 3 == 2:
            assert_figures_are_the_rows(client, operator, app, f"write {number}: {write.__name__}")
    assert_figures_are_the_rows(client, operator, app, "the end")


def test_counting_again_from_the_rows_restores_counts_written_past(client, operator, app, writes, cli):
    """After rows were loaded with the triggers off (bench/scale.py), `flask statistics
    count-workers` counts them again."""
    rng, workers = random.Random(3), list[list]()
    for write in writes[:3] * 2:
        write(rng, workers)
    with app.app_context():
        db.session.execute(text("DELETE FROM statistics_worker_counts"))
        db.session.execute(text("UPDATE statistics_worker_service_counts SET workers = workers + 5"))
        db.session.commit()
    assert client.get("/api/v1/statistics/workers", headers=operator).json["total"] == 0

    done = cli("statistics", "count-workers")
    assert done.exit_code == 0, done.output
    assert f"workers counted: {len(workers)}" in done.output
    assert_figures_are_the_rows(client, operator, app, "counted again")


def test_the_figures_read_the_counts_not_the_workers(client, operator, writes, count_statements):
    """What the figures cost does not grow with the workers: no statement reads their rows."""
    rng, workers = random.Random(5), list[list]()
    for write in writes[:3]:
        write(rng, workers)
    client.get("/api/v1/statistics/workers", headers=operator)  # the caller's session, read once
    for district in ({}, {"district": TIANHE}):
        with count_statements() as statements:
            answer = client.get("/api/v1/statistics/workers", query_string=district, headers=operator)
        assert answer.status_code == 200 and answer.json["total"] > 0
        assert [s for s in statements if "statistics_worker" in s]
        assert not [s for s in statements if "FROM workers" in s or "JOIN workers" in s], statements


def test_the_age_bands_are_one_statement_whatever_the_district(client, operator, isolated):
    """The bands' bounds and keys are written into the statement, not sent with it: PostgreSQL
    plans it once for every district (bound, they left its plan to be made anew on most calls)."""
    sent_for = {}
    for district in (None, TIANHE):
        with statements_with_parameters(isolated) as sent:
            query = {"district": district} if district else {}
            assert client.get("/api/v1/statistics/workers", query_string=query, headers=operator).status_code == 200
        sent_for[district] = [
            # psycopg names them, SQLite does not
            (s, list(p.values()) if isinstance(p, dict) else list(cast(tuple, p)))
            for s, p in sent
            if "statistics_worker_counts.birth_year" in s
        ]
    [(every, parameters)], [(one, district_only)] = sent_for[None], sent_for[TIANHE]
    assert parameters == [] and district_only == [TIANHE]
    assert "'under_30'" in every and "'under_30'" in one


def test_the_figures_are_the_rows_after_recompute_all_restars_many_workers(client, operator, app, writes, cli):
    """recompute-all moves a batch's counts once, at the end of its transaction (PostgreSQL;
    SQLite's triggers count each row): those of workers re-starred, moved past the API and
    re-starred by hand in the same batches."""
    rng, workers = random.Random(11), list[list]()
    for write in writes[:3] * 3:
        write(rng, workers)
    for write in (writes[3], writes[6], writes[7]):  # moved by an update, re-starred by Core, a company moved
        write(rng, workers)
    with app.app_context():
        db.session.execute(update(Worker).values(stars=1))  # every worker's stars for recompute-all to put right
        db.session.commit()
    assert_figures_are_the_rows(client, operator, app, "stars cleared")

    done = cli("credit", "recompute-all")
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert db.session.execute(select(func.count()).where(Worker.stars != 1)).scalar_one() > 0
    assert_figures_are_the_rows(client, operator, app, "recomputed")
