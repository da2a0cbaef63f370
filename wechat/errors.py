"""WeChat's failures as our HTTP answers: the caller's fault is named (401/422), a WeChat account
that WeChat itself restricts is a 403, WeChat's own trouble (down, slow, busy, rate limited,
misconfigured) is a 503 to try again later, and WeChat not configured here is a 503 of its own
that no retry mends; never a 500."""

import logging
from collections.abc import Callable
from contextlib import contextmanager

import redis
import requests
from wechatpy.exceptions import WeChatClientException

from app.errors import Forbidden, Problem, Unavailable
from app.i18n import _
from wechat.client import WeChatNotConfigured

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
# WeChat's risk control blocks this user (高风险等级用户): whatever the call, trying again
# changes nothing, and nothing the mini-program sends can either.
ACCOUNT_RESTRICTED = 40226


def unavailable(detail: str) -> Unavailable:
    return Unavailable(detail, code="wechat_unavailable", retry_after=RETRY_AFTER_SECONDS)


def not_configured() -> Unavailable:
    # No Retry-After: asking again gets the same answer until an operator sets WeChat up.
    return Unavailable(
        _(
            "WeChat is not configured on this server (WECHAT_APPID and WECHAT_SECRET are not set), "
            "so nothing was asked of WeChat."
        ),
        code="wechat_not_configured",
        retry_after=None,
    )


def account_restricted(error: WeChatClientException) -> Forbidden:
    return Forbidden(
        _(
            "WeChat has restricted this WeChat account (errcode %(errcode)s, WeChat's risk control), "
            "so it cannot be used here; trying again will not help. The account holder can appeal to "
            "WeChat, or book by calling the station.",
            errcode=error.errcode,
        ),
        code="wechat_account_restricted",
    )


@contextmanager
def calling_wechat(caller_errors: dict[int, Callable[[WeChatClientException], Problem]] | None = None):
    """Runs a WeChat call; errcodes in `caller_errors` become that error, a restricted account a
    403, anything else a 503."""
    caller_errors = caller_errors or {}
    try:
        yield
    except WeChatNotConfigured as error:
        raise not_configured() from error
    except WeChatClientException as error:
        if error.errcode in caller_errors:
            raise caller_errors[error.errcode](error) from error
        if error.errcode == ACCOUNT_RESTRICTED:
            log.info("WeChat refused a restricted account: errcode %s", error.errcode)
            raise account_restricted(error) from error
        log.warning("WeChat refused a call: errcode %s", error.errcode)
        raise unavailable(
            _("WeChat could not handle this just now (errcode %(errcode)s); try again shortly.", errcode=error.errcode)
        ) from error
    except requests.RequestException as error:
        log.warning("WeChat unreachable: %s", type(error).__name__)
        raise unavailable(_("WeChat did not answer in time; try again shortly.")) from error
    except redis.RedisError as error:
        log.warning("WeChat access token unavailable: %s", type(error).__name__)
        raise unavailable(_("The WeChat access token is unavailable just now; try again shortly.")) from error
