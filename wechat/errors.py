"""WeChat's failures as our HTTP answers: the caller's fault is named (401/422), WeChat's own
trouble (down, slow, busy, rate limited, misconfigured) is a 503, never a 500."""

import logging
from collections.abc import Callable
from contextlib import contextmanager

import redis
import requests
from wechatpy.exceptions import WeChatClientException

from app.errors import Problem, Unavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


def unavailable(detail: str) -> Unavailable:
    return Unavailable(detail, code="wechat_unavailable", retry_after=RETRY_AFTER_SECONDS)


@contextmanager
def calling_wechat(caller_errors: dict[int, Callable[[WeChatClientException], Problem]] | None = None):
    """Runs a WeChat call; errcodes in `caller_errors` become that error, anything else a 503."""
    try:
        yield
    except WeChatClientException as error:
        if error.errcode in (caller_errors or {}):
            raise caller_errors[error.errcode](error) from error
        log.warning("WeChat refused a call: errcode %s", error.errcode)
        raise unavailable(
            f"WeChat could not handle this just now (errcode {error.errcode}); try again shortly."
        ) from error
    except requests.RequestException as error:
        log.warning("WeChat unreachable: %s", type(error).__name__)
        raise unavailable("WeChat did not answer in time; try again shortly.") from error
    except redis.RedisError as error:
        log.warning("WeChat access token unavailable: %s", type(error).__name__)
        raise unavailable("The WeChat access token is unavailable just now; try again shortly.") from error
