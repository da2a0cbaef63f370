"""What a person reads beside a field is in their language: marshmallow's own English messages
(and their numbers) come out of the catalogue, as every other sentence of a problem does."""

from app.field_messages import TEMPLATES, translated

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}


def test_a_refused_field_is_worded_in_chinese_with_its_numbers(client, operator):
    answer = client.post("/api/v1/companies", json={"name": "羊"}, headers=operator | ZH)
    assert answer.status_code == 422
    assert answer.json["errors"]["name"] == ["长度须在 2 到 100 之间。"]
    assert answer.json["errors"]["credit_code"] == ["必填。"]


def test_in_english_the_field_messages_stay_marshmallows(client, operator):
    answer = client.post("/api/v1/companies", json={"name": "羊"}, headers=operator | EN)
    assert answer.json["errors"]["name"] == ["Length must be between 2 and 100."]


def test_every_marshmallow_template_has_its_chinese(app):
    with app.test_request_context(headers=ZH):
        for template in TEMPLATES:
            message = template.format(min=1, max=9, equal=3, choices="a, b", awareness="aware")
            assert translated(message) != message, template


def test_what_is_not_a_marshmallow_message_is_left_as_it_is(app):
    """A 409 names the current status by its code (a value, translated nowhere)."""
    with app.test_request_context(headers=ZH):
        assert translated({"status": ["cancelled"]}) == {"status": ["cancelled"]}
