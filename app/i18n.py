"""The language of what a person reads: Chinese (zh_CN) unless the request's Accept-Language
prefers English. Messages are written in English in the code, wrapped in `_()`, extracted into
app/translations/zh_Hans_CN (Babel's name for zh_CN) by `make messages` and translated there;
`detail` in every problem body follows the request's language, so the mini-program shows it as
it is."""

from flask import Flask, Response, has_request_context, request
from flask_babel import Babel, gettext, lazy_gettext, refresh

DEFAULT_LANGUAGE = "zh_CN"

_ = gettext
__all__ = ["_", "lazy_gettext", "init_i18n", "request_language"]


def request_language() -> str:
    """zh_CN unless the client ranks English above Chinese. Outside a request (a command), English,
    as the rest of a command's output is."""
    if not has_request_context():
        return "en"
    for tag, _quality in request.accept_languages:  # most preferred first
        primary = tag.split("-")[0].lower()
        if primary == "en":
            return "en"
        if primary == "zh":
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=request_language)
    # Flask-Babel keeps the language it chose in `g`, which outlives a request when an app context
    # was pushed around several (the tests, a command): each request chooses again.
    app.before_request(refresh)
    app.after_request(_say_the_language)


def _say_the_language(response: Response) -> Response:
    """Caches keep the Chinese and the English answer apart; clients learn which they got."""
    response.headers["Content-Language"] = "en" if request_language() == "en" else "zh-CN"
    response.vary.add("Accept-Language")
    return response
