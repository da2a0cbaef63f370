"""Who may call WeChat's side of the API: a push is WeChat's only when it is signed with
WECHAT_CALLBACK_TOKEN."""

from flask import current_app
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from app.errors import Forbidden
from app.i18n import _


def require_wechat_signature(query: dict) -> None:
    """403 unless the push's signature, timestamp and nonce were signed with our callback token."""
    try:
        check_signature(
            current_app.config["WECHAT_CALLBACK_TOKEN"], query["signature"], query["timestamp"], query["nonce"]
        )
    except InvalidSignatureException:
        raise Forbidden(_("The signature does not match WECHAT_CALLBACK_TOKEN."), code="bad_signature") from None
