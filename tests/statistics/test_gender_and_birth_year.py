"""A worker's gender and birth year are read from their ID number when they are registered
(GB 11643: characters 7-14 the birth date, the 17th odd for a man) and kept as such; the number
itself is kept nowhere but its encrypted column. Workers registered before are filled in by
`flask credit backfill-demographics`, which can run any number of times."""

import pytest
from sqlalchemy import text

from app.extensions import db
from credit.identifiers import demographics, id_number_check_character
from tests.statistics.test_worker_counts_follow_every_write import assert_figures_are_the_rows

WOMAN_1949 = "11010519491231002X"  # GB 11643's own example: 17th digit 2, check character X
MAN_1980 = "44010619800101049X"  # 17th digit 9, check character X too
MAN_2001 = "44010620010228123" + id_number_check_character("44010620010228123")  # 17th digit 3


@pytest.mark.parametrize(
    ("id_number", "gender", "birth_year"),
    [(WOMAN_1949, "female", 1949), (MAN_1980, "male", 1980), (MAN_2001, "male", 2001)],
)
def test_registering_a_worker_keeps_gender_and_birth_year_from_the_id_number(
    client, operator, app, make_applicant, id_number, gender, birth_year
):
    worker = make_applicant(id_number=id_number)
    with app.app_context():
        row = db.session.execute(
            text("SELECT gender, birth_year FROM workers WHERE id = :id"), {"id": worker["id"]}
        ).one()
    assert (row.gender, row.birth_year) == (gender, birth_year)
    assert demographics(id_number).gender == gender


def test_the_id_number_is_kept_nowhere_but_its_encrypted_column(client, operator, app, make_applicant):
    worker = make_applicant(id_number=MAN_1980)
    with app.app_context():
        rows = [
            *db.session.execute(text("SELECT * FROM workers WHERE id = :id"), {"id": worker["id"]}).mappings(),
            *db.session.execute(
                text("SELECT * FROM credit_events WHERE worker_id = :id"), {"id": worker["id"]}
            ).mappings(),
            *db.session.execute(
                text("SELECT * FROM certificates WHERE worker_id = :id"), {"id": worker["id"]}
            ).mappings(),
        ]
    stored = " ".join(
        (bytes(value).decode("latin-1") if isinstance(value, (bytes, memoryview)) else str(value))
        for row in rows
        for value in row.values()
    )
    for fragment in (MAN_1980, MAN_1980[:17], MAN_1980[6:14], MAN_1980[-6:]):
        assert fragment not in stored
    assert rows[0]["birth_year"] == 1980 and rows[0]["gender"] == "male"


def test_backfill_fills_in_workers_registered_before_and_can_run_again(client, app, make_applicant, cli, operator):
    woman, man = make_applicant(id_number=WOMAN_1949), make_applicant(id_number=MAN_2001)
    with app.app_context():
        db.session.execute(
            text("UPDATE workers SET gender = NULL, birth_year = NULL WHERE id IN (:a, :b)"),
            {"a": woman["id"], "b": man["id"]},
        )
        db.session.commit()

    first = cli("credit", "backfill-demographics")
    assert first.exit_code == 0, first.output
    assert "Done: 2 workers filled in." in first.output
    with app.app_context():
        rows = {
            row.id: (row.gender, row.birth_year)
            for row in db.session.execute(text("SELECT id, gender, birth_year FROM workers"))
        }
    assert rows[woman["id"]] == ("female", 1949) and rows[man["id"]] == ("male", 2001)
    assert WOMAN_1949 not in first.output
    assert_figures_are_the_rows(client, operator, app, "filled in")

    again = cli("credit", "backfill-demographics")
    assert again.exit_code == 0 and "Done: 0 workers filled in." in again.output
