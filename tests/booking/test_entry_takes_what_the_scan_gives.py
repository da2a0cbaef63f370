"""At the door the resident scans the card with wx.scanCode, which gives the QR's whole URL, or the
scene of the card's mini-program code: 确认入户 takes what the scan gave."""

from urllib.parse import quote

import pytest

from app.extensions import db
from credit.models import Certificate
from tests.factories import token_of
from wechat.codes import worker_scene


def scene_of(app, worker) -> str:
    with app.app_context():
        certificate = db.session.scalar(db.select(Certificate).where(Certificate.worker_id == worker["id"]))
        return worker_scene(certificate)


def enter(client, booking, headers, scanned):
    return client.post(f"/api/v1/bookings/{booking['id']}/entry", json={"token": scanned}, headers=headers)


@pytest.mark.parametrize(
    "form",
    ["the QR's URL", "the bare token", "the mini-program scene", "the mini-program page path", "an encoded path"],
)
def test_entry_is_confirmed_with_any_form_the_scan_gives(assigned, client, app, form):
    booking, headers, _, worker = assigned()
    token, scene = token_of(worker), scene_of(app, worker)
    scanned = {
        "the QR's URL": f"{app.config['PUBLIC_BASE_URL']}/q/{token}",
        "the bare token": token,
        "the mini-program scene": scene,
        "the mini-program page path": f"pages/scan/index?scene={scene}",
        "an encoded path": quote(f"pages/scan/index?scene={scene}", safe=""),
    }[form]
    response = enter(client, booking, headers, scanned)
    assert response.status_code == 201, response.json
    assert response.json["matched"] is True and response.json["colour"] == "green"


@pytest.mark.parametrize(
    "scanned", ["https://example.com/some/other/page", "一张名片", "w12.zz", "http://127.0.0.1:5000/q/"]
)
def test_anything_else_is_refused_saying_what_was_expected(assigned, client, scanned):
    booking, headers, _, _ = assigned()
    response = enter(client, booking, headers, scanned)
    assert response.status_code == 422
    assert response.json["code"] == "not_a_scan" and "token" in response.json["errors"]
    assert "/q/<token>" in response.json["detail"] and "w<id>.<hex>" in response.json["detail"]


def test_the_scene_of_a_rotated_card_is_an_unknown_code(assigned, client, app, operator):
    booking, headers, _, worker = assigned()
    old_scene = scene_of(app, worker)
    rotated = client.post(f"/api/v1/workers/{worker['id']}/certificate/rotate-code", json={}, headers=operator)
    assert rotated.status_code == 200
    response = enter(client, booking, headers, old_scene)
    assert response.status_code == 422 and response.json["code"] == "unknown_token"
