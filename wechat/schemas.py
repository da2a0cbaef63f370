"""Request and response schemas for WeChat login, phone binding, codes, messages and the push."""

import marshmallow as ma
from marshmallow import fields, validate

from accounts.schemas import MaskedPhone
from app.fields import FullMatch, RecordId
from app.i18n import lazy_gettext
from app.paging import OperatorPageQuery, page_schema
from wechat.models import MESSAGE_KINDS, MESSAGE_STATUSES, TEXT_STATUSES

# wx.login() and the phone button give short opaque codes; anything else is not one.
WECHAT_CODE = fields.String(
    required=True,
    validate=FullMatch(r"[\w\-]{8,128}", error=lazy_gettext("must be the code WeChat gave the mini-program")),
)


def shown_text(**kwargs) -> fields.String:
    """A resident's free text as others may read it: null until WeChat's content check passed it."""
    return fields.String(
        attribute="shown_text",
        allow_none=True,
        metadata={"description": "null while text_status is not pass (or when there is no text)"},
        **kwargs,
    )


def text_status() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(TEXT_STATUSES),
        metadata={
            "description": "WeChat's content check (msgSecCheck) of the text: pass (shown), pending (WeChat not "
            "reached yet: hidden until rechecked), review or risky (hidden)"
        },
    )


class LoginSchema(ma.Schema):
    code = WECHAT_CODE


class PhoneCodeSchema(ma.Schema):
    code = WECHAT_CODE


class SessionSchema(ma.Schema):
    token = fields.String(required=True, metadata={"description": "send as Authorization: Bearer <token>"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = fields.DateTime(required=True)
    user_id = fields.Integer(required=True)
    new_user = fields.Boolean(required=True, metadata={"description": "true at the first login of this WeChat user"})
    has_phone = fields.Boolean(required=True)


class PhoneSchema(ma.Schema):
    """A User's phone as they see it."""

    phone = MaskedPhone(required=True, metadata={"description": "masked, e.g. 138****5678"})
    has_phone = fields.Boolean(required=True)


class CallbackQuery(ma.Schema):
    signature = fields.String(required=True)
    timestamp = fields.String(required=True)
    nonce = fields.String(required=True)
    echostr = fields.String(metadata={"description": "only in the GET handshake; echoed back"})


class MessageQuery(OperatorPageQuery):
    status = fields.String(validate=validate.OneOf(MESSAGE_STATUSES))
    kind = fields.String(validate=validate.OneOf(MESSAGE_KINDS))
    user_id = RecordId()


class MessageSchema(ma.Schema):
    """A SubscribeMessage, without its data."""

    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(
        required=True,
        metadata={
            "description": "queued, sending, sent, not_subscribed (the user did not grant it), failed, or "
            "skipped (no template configured for its kind, or WeChat not configured: last_error says so)"
        },
    )
    attempts = fields.Integer(required=True)
    last_errcode = fields.Integer(allow_none=True, metadata={"description": "WeChat's errcode of the last attempt"})
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(allow_none=True)


MessageListSchema = page_schema(MessageSchema, "MessageListSchema")
