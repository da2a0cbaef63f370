"""Headers every response carries, the strict policy for HTML pages, and paths no one sends.

CORS stays closed: the mini-program calls through wx.request, which browsers' same-origin rules
do not govern, so no Access-Control-Allow-* header is ever sent.
"""

from flask import Flask, Response, abort, request

# Pages render no inline script; views with their own policy (the scan page) keep it.
HTML_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def init_security_headers(app: Flask) -> None:
    app.before_request(_refuse_nul_in_path)
    app.after_request(_add_security_headers)


def _refuse_nul_in_path() -> None:
    """A path naming a station or a 安心碼 never holds a NUL character, and PostgreSQL text cannot
    store one: such a path names nothing."""
    if "\x00" in request.path:
        abort(404)


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", HTML_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
    return response
