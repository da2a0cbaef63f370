"""Enrolment by a worker's company admin or an operator: a place while any is left, the waiting
list after that, and a cancellation hands the place to the first worker waiting, who is told by
subscribe message."""

from sqlalchemy import select

from app.extensions import db
from tests.factories import offline_class_body, online_class_body, session_around_now
from wechat.models import SubscribeMessage


def test_the_last_place_is_taken_and_the_next_worker_waits(make_class, make_trainee, enrol):
    training_class = make_class(offline_class_body(capacity=1))
    first, second = make_trainee(), make_trainee()
    assert enrol(training_class, first).json["status"] == "enrolled"
    waiting = enrol(training_class, second)
    assert waiting.status_code == 201
    assert (waiting.json["status"], waiting.json["status_name"]) == ("waiting", "候补")


def test_cancelling_a_place_gives_it_to_the_first_worker_waiting(client, operator, make_class, make_trainee, enrol):
    training_class = make_class(offline_class_body(capacity=1))
    holder, first_waiting, second_waiting = make_trainee(), make_trainee(), make_trainee()
    held = enrol(training_class, holder).json
    enrol(training_class, first_waiting)
    enrol(training_class, second_waiting)

    cancelled = client.post(
        f"/api/v1/training/enrolments/{held['id']}/cancel", json={"reason": "家中有事"}, headers=operator
    )

    assert (cancelled.json["status"], cancelled.json["cancel_reason"]) == ("cancelled", "家中有事")
    statuses = {
        worker["id"]: client.get(f"/api/v1/training/workers/{worker['id']}/enrolments", headers=operator).json["items"][
            0
        ]["status"]
        for worker in (first_waiting, second_waiting)
    }
    assert statuses == {first_waiting["id"]: "enrolled", second_waiting["id"]: "waiting"}
    assert client.get(f"/api/v1/training/classes/{training_class['id']}", headers=operator).json["enrolled"] == 1


def messages_of(client, headers):
    user_id = client.get("/api/v1/me", headers=headers).json["id"]
    with client.application.app_context():
        return [
            (message.kind, message.data, message.page)
            for message in db.session.scalars(select(SubscribeMessage).where(SubscribeMessage.user_id == user_id))
        ]


def test_the_worker_given_the_place_is_told_on_their_own_account(
    client, operator, login, make_class, make_trainee, enrol
):
    training_class = make_class(offline_class_body(capacity=1))
    holder, waiting = make_trainee(), make_trainee()
    holder_account, waiting_account = login("worker", worker_id=holder["id"]), login("worker", worker_id=waiting["id"])
    held = enrol(training_class, holder).json
    enrol(training_class, waiting)
    assert messages_of(client, waiting_account) == []  # waiting is no news

    client.post(f"/api/v1/training/enrolments/{held['id']}/cancel", json={"reason": "家中有事"}, headers=operator)

    assert messages_of(client, waiting_account) == [
        (
            "training_place",
            {"thing1": training_class["title"][:20], "phrase2": "候补转正", "thing3": "名额已为您保留，请按时参加"},
            f"pages/training/class?id={training_class['id']}",
        )
    ]
    assert messages_of(client, holder_account) == []


def test_a_worker_enrolled_or_waiting_cannot_enrol_again_but_may_after_cancelling(
    client, operator, make_class, make_trainee, enrol
):
    training_class = make_class(online_class_body())
    worker = make_trainee()
    enrolment = enrol(training_class, worker).json
    again = enrol(training_class, worker)
    assert (again.status_code, again.json["code"]) == (409, "already_enrolled")
    client.post(f"/api/v1/training/enrolments/{enrolment['id']}/cancel", headers=operator)
    assert enrol(training_class, worker).status_code == 201


def test_a_cancelled_enrolment_cannot_be_cancelled_again(client, operator, make_class, make_trainee, enrol):
    enrolment = enrol(make_class(online_class_body()), make_trainee()).json
    url = f"/api/v1/training/enrolments/{enrolment['id']}/cancel"
    assert client.post(url, headers=operator).status_code == 200
    again = client.post(url, headers=operator)
    assert (again.status_code, again.json["code"], again.json["errors"]) == (
        409,
        "status_conflict",
        {"status": ["cancelled"]},
    )


def test_a_company_admin_enrols_its_own_workers_only(login, make_company, make_class, make_trainee, enrol):
    own, other = make_company(), make_company()
    admin = login("company_admin", company_id=own["id"])
    training_class = make_class(online_class_body())
    assert enrol(training_class, make_trainee(company_id=own["id"]), headers=admin).status_code == 201
    refused = enrol(training_class, make_trainee(company_id=other["id"]), headers=admin)
    assert refused.status_code == 404


def test_an_online_class_has_no_limit_on_places(make_class, make_trainee, enrol):
    training_class = make_class(online_class_body())
    assert {enrol(training_class, make_trainee()).json["status"] for _ in range(3)} == {"enrolled"}


def test_a_class_whose_last_session_has_ended_takes_no_one(make_class, make_trainee, enrol):
    training_class = make_class(offline_class_body(sessions=[session_around_now(hours_before=3, hours_after=-1)]))
    refused = enrol(training_class, make_trainee())
    assert (refused.status_code, refused.json["code"]) == (409, "class_over")
