"""The language of what a person reads: Chinese (zh_CN) unless the request's Accept-Language
prefers English. Messages are written in English in the code, wrapped in `_()`, extracted into
app/translations/ (`make messages`) and translated there; `detail` in every problem body and the
pages follow the request's language, so the mini-program shows them as they are."""

from flask import Flask, has_request_context, request
from flask_babel import Babel, gettext, lazy_gettext, ngettext

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_ = gettext
__all__ = ["_", "lazy_gettext", "ngettext", "init_i18n", "request_language"]


def request_language() -> str:
    """zh_CN unless the client ranks English above Chinese; outside a request, the default."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    best = request.accept_languages.best_match(("zh-CN", "zh", "en"), default="zh-CN")
    return "en" if best == "en" else DEFAULT_LANGUAGE


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=request_language)
