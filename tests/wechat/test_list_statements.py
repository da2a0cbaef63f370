"""The subscribe-message log costs the same SQL statements for 1 message as for 50: no query per
row, and no message's (encrypted) data read."""

from app.extensions import db
from tests.factories import make_user
from wechat.messages import queue_subscribe_message


def add_messages(wechat_app, count):
    with wechat_app.app_context():
        user = make_user()
        for _ in range(count):
            queue_subscribe_message(user.id, "followup_survey", {"thing1": "回访"})  # no template: skipped
        db.session.commit()


def test_the_message_log_costs_the_same_statements_for_1_row_as_for_50(api, wechat_app, login, count_statements):
    operator = login("operator")
    counts = {}
    for rows, more in ((1, 1), (50, 49)):
        add_messages(wechat_app, more)
        with count_statements() as statements:
            response = api.get("/api/v1/wechat/messages?kind=followup_survey", headers=operator)
        assert response.status_code == 200 and response.json["total"] == rows
        counts[rows] = len(statements)
    assert len(response.json["items"]) == 50
    assert counts[1] == counts[50], counts
    assert not any("data" in statement.split("FROM")[0] for statement in statements)
