"""WeChat's message push: only WeChat (who knows the callback token) is heard, and users'
answers to subscribe prompts are recorded."""

import json

from sqlalchemy import select

from app.extensions import db
from tests.factories import make_user, signed
from wechat.models import TemplateDecision

CALLBACK = "/api/v1/wechat/callback"


def decisions(wechat_app):
    with wechat_app.app_context():
        return [
            (d.template_id, d.decision, d.event)
            for d in db.session.scalars(select(TemplateDecision).order_by(TemplateDecision.template_id))
        ]


def test_the_handshake_echoes_echostr_when_the_signature_is_right(api):
    response = api.get(CALLBACK, query_string=signed(echostr="echo-4711"))
    assert response.status_code == 200 and response.get_data(as_text=True) == "echo-4711"


def test_a_wrong_signature_is_403(api):
    response = api.get(CALLBACK, query_string=signed(token="not-our-token", echostr="echo"))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert response.json["code"] == "bad_signature"
    assert api.post(CALLBACK, query_string=signed(token="not-our-token"), data="{}").status_code == 403


def test_a_push_without_a_signature_is_refused_naming_it(api):
    response = api.post(CALLBACK, query_string={"timestamp": "1", "nonce": "2"}, data="{}")
    assert response.status_code == 422 and "signature" in response.json["errors"]


def test_accepting_and_rejecting_templates_in_the_popup_is_recorded(api, wechat_app, isolated):
    with wechat_app.app_context():
        openid = make_user().openid
    push = {
        "ToUserName": "gh_123",
        "FromUserName": openid,
        "CreateTime": 1764000000,
        "MsgType": "event",
        "Event": "subscribe_msg_popup_event",
        "List": [
            {"TemplateId": "TPL-received", "SubscribeStatusString": "accept", "PopupScene": "0"},
            {"TemplateId": "TPL-reminder", "SubscribeStatusString": "reject", "PopupScene": "0"},
        ],
    }
    response = api.post(CALLBACK, query_string=signed(), data=json.dumps(push), content_type="application/json")
    assert response.status_code == 200 and response.get_data(as_text=True) == "success"
    assert decisions(wechat_app) == [
        ("TPL-received", "accept", "subscribe_msg_popup_event"),
        ("TPL-reminder", "reject", "subscribe_msg_popup_event"),
    ]


def test_a_later_change_in_settings_replaces_the_decision_xml_push(api, wechat_app, isolated):
    with wechat_app.app_context():
        openid = make_user().openid
    for status, event, element in (
        ("accept", "subscribe_msg_popup_event", "SubscribeMsgPopupEvent"),
        ("reject", "subscribe_msg_change_event", "SubscribeMsgChangeEvent"),
    ):
        xml = (
            f"<xml><ToUserName>gh_123</ToUserName><FromUserName>{openid}</FromUserName>"
            f"<CreateTime>1764000000</CreateTime><MsgType>event</MsgType><Event>{event}</Event>"
            f"<{element}><List><TemplateId>TPL-confirmed</TemplateId>"
            f"<SubscribeStatusString>{status}</SubscribeStatusString></List></{element}></xml>"
        )
        assert api.post(CALLBACK, query_string=signed(), data=xml, content_type="text/xml").status_code == 200
    assert decisions(wechat_app) == [("TPL-confirmed", "reject", "subscribe_msg_change_event")]


def test_other_events_and_unknown_users_are_acknowledged_and_ignored(api, wechat_app):
    for push in (
        {"Event": "user_enter_tempsession", "FromUserName": "o-anyone"},
        {
            "Event": "subscribe_msg_popup_event",
            "FromUserName": "o-never-logged-in",
            "List": [{"TemplateId": "TPL-received", "SubscribeStatusString": "accept"}],
        },
    ):
        assert api.post(CALLBACK, query_string=signed(), data=json.dumps(push)).status_code == 200
    assert decisions(wechat_app) == []


def test_a_body_that_is_neither_json_nor_xml_is_400(api):
    response = api.post(CALLBACK, query_string=signed(), data="<xml><unclosed>")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json["code"] == "unreadable_push"
