"""Login with WeChat, phone binding and WeChat's subscribe-message events. Only flush; the
request commits."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import AuthSession, User
from accounts.services import hash_token, start_session
from app.clock import utcnow
from app.errors import Invalid, NotLoggedIn
from app.extensions import db
from app.i18n import _
from app.privacy import blind_index
from wechat.client import wechat_client
from wechat.errors import calling_wechat, unavailable
from wechat.models import ACCEPT, BAN, REJECT, TemplateDecision

# The login or phone code is unknown, used already (each is single-use) or expired.
INVALID_CODE, CODE_USED = 40029, 40163
DECISION_EVENTS = {
    "subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
    "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
}


def _rejected_login_code(error) -> NotLoggedIn:
    message = _(
        "WeChat rejected this login code (errcode %(errcode)s): call wx.login() again and send the new code.",
        errcode=error.errcode,
    )
    return NotLoggedIn(
        message, code="login_code_rejected", field="code", headers={"WWW-Authenticate": 'Bearer realm="yangcheng"'}
    )


def _rejected_phone_code(error) -> Invalid:
    return Invalid(
        _(
            "WeChat rejected this phone code (errcode %(errcode)s): it is single-use and valid "
            "for 5 minutes; ask the user to tap the phone button again.",
            errcode=error.errcode,
        ),
        code="phone_code_rejected",
        field="code",
    )


def log_in(code: str) -> dict:
    """Our session for the WeChat user behind a wx.login() code. WeChat is asked first, so a
    failure there writes nothing."""
    with calling_wechat({INVALID_CODE: _rejected_login_code, CODE_USED: _rejected_login_code}):
        answer = wechat_client().code_to_session(code)
    if not answer.get("openid") or not answer.get("session_key"):
        raise unavailable(_("WeChat answered the login without an openid; try again shortly."))
    user, created = _user_for_openid(answer["openid"])
    if answer.get("unionid"):
        user.unionid = answer["unionid"]
    user.wechat_session_key = answer["session_key"]
    token = start_session(user)
    session = db.session.get(AuthSession, hash_token(token))
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_at": session.expires_at,
        "user_id": user.id,
        "new_user": created,
        "has_phone": user.has_phone,
    }


def _user_for_openid(openid: str) -> tuple[User, bool]:
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is not None:
        return user, False
    try:
        with db.session.begin_nested():
            user = User(openid=openid)
            db.session.add(user)
        return user, True
    except IntegrityError:
        # The same person's first two logins raced and the other one created the row.
        return db.session.scalar(select(User).where(User.openid == openid)), False


def bind_phone(user: User, code: str) -> User:
    """Stores the phone number behind the phone button's code: encrypted, with its look-up hash."""
    with calling_wechat({INVALID_CODE: _rejected_phone_code, CODE_USED: _rejected_phone_code}):
        answer = wechat_client().get_user_phone_number(code)
    info = answer.get("phone_info") or {}
    if (info.get("watermark") or {}).get("appid") != current_app.config["WECHAT_APPID"]:
        raise Invalid(_("This phone code belongs to another mini-program."), code="phone_code_foreign", field="code")
    phone = info.get("phoneNumber") or info.get("purePhoneNumber")
    if not phone:
        raise unavailable(_("WeChat answered without a phone number; try again shortly."))
    user.phone, user.phone_hash = phone, blind_index(phone)
    db.session.flush()
    return user


def record_template_decisions(payload: dict) -> int:
    """Records what a user answered to subscribe prompts (popup) or changed later in settings;
    returns how many decisions were recorded. Other events and unknown users are ignored."""
    event_name = payload.get("Event")
    if event_name not in DECISION_EVENTS:
        return 0
    user = db.session.scalar(select(User).where(User.openid == payload.get("FromUserName")))
    if user is None:
        return 0
    # JSON pushes carry "List" at the top; XML pushes nest it under the event's own element.
    items = payload.get("List") or (payload.get(DECISION_EVENTS[event_name]) or {}).get("List") or []
    recorded = 0
    for item in items if isinstance(items, list) else [items]:
        decision = item.get("SubscribeStatusString")
        if decision not in (ACCEPT, REJECT, BAN) or not item.get("TemplateId"):
            continue
        row = db.session.scalar(
            select(TemplateDecision).where(
                TemplateDecision.user_id == user.id, TemplateDecision.template_id == item["TemplateId"]
            )
        )
        if row is None:
            row = TemplateDecision(user_id=user.id, template_id=item["TemplateId"])
            db.session.add(row)
        row.decision, row.event, row.decided_at = decision, event_name, utcnow()
        recorded += 1
    db.session.flush()
    return recorded
