"""WeChat login and phone binding, mini-program codes, the scan behind a worker's code, the
subscribe-message log (operators) and WeChat's message push."""

import xmltodict
from flask import current_app, request

from accounts.models import COMPANY_ADMIN, OPERATOR
from app.access import current_principal
from app.blueprint import ApiBlueprint
from app.errors import BadRequest, NotFound
from app.extensions import db
from app.i18n import _
from app.json_body import parse_json_body
from app.rate_limits import rate_limited
from credit.access import worker_for_caller
from credit.scanning import scan_answer
from credit.schemas import ScanSchema
from stations.models import Station
from wechat import codes, messages, services
from wechat.access import require_wechat_signature
from wechat.schemas import (
    CallbackQuery,
    LoginSchema,
    MessageListSchema,
    MessageQuery,
    PhoneCodeSchema,
    PhoneSchema,
    SessionSchema,
)

PROBLEM_MEANINGS = {
    401: "Not logged in, or WeChat rejected the login code (errors.code says which)",
    403: "The caller's role may not do this, the push's signature is wrong, or WeChat restricts this "
    "WeChat account (code wechat_account_restricted: trying again will not help)",
    404: "No such station or worker (another company's worker counts as none), or no 安心碼 yet",
    422: "WeChat rejected the phone code (errors.code)",
    429: "Too many requests (logins, scans) from this client; see Retry-After",
    503: "WeChat is down, slow, busy or rate-limiting us (code wechat_unavailable; see Retry-After), or "
    "not configured on this server (code wechat_not_configured, no Retry-After); nothing was written",
}

blp = ApiBlueprint(
    "wechat",
    __name__,
    url_prefix="/api/v1",
    description="WeChat: login, phone binding, mini-program codes, subscribe messages, message push",
    problem_meanings=PROBLEM_MEANINGS,
)


# ---------------------------------------------------------------- identity


@blp.post("/auth/wechat/login")
@rate_limited("LOGIN_RATE_LIMIT", "logins")
@blp.problems(401, 403, 429, 503)
@blp.arguments(LoginSchema)
@blp.response(200, SessionSchema)
def wechat_login(data):
    """Log in with the code from wx.login(): the WeChat user becomes (or is found as) our user and
    gets a session token. WeChat's session_key stays on the server, encrypted."""
    return services.log_in(data["code"])


@blp.post("/auth/wechat/phone")
@blp.requires()
@blp.problems(403, 422, 503)
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneSchema)
def bind_phone(data):
    """Bind my phone number, from the code of the mini-program's phone button (getPhoneNumber).
    Stored encrypted; shown masked."""
    return services.bind_phone(current_principal().user, data["code"])


# ---------------------------------------------------------------- mini-program codes


def code_image(description: str) -> dict:
    """The 200 of a code endpoint: the image is whatever WeChat made (JPEG and PNG have been seen),
    whatever the path's ending says."""
    image = {"schema": {"type": "string", "format": "binary"}}
    return {"200": {"description": description, "content": dict.fromkeys(codes.IMAGE_MEDIA_TYPES, image)}}


def _image(code: codes.MiniProgramCode, cache_control: str):
    response = current_app.response_class(code.image, mimetype=code.media_type)
    response.headers["Cache-Control"] = cache_control
    return response


@blp.get("/stations/<string(length=12):code>/wxacode.png")
@blp.problems(404, 503)
@blp.doc(responses=code_image("The station's mini-program code (scene = station code), PNG or JPEG"))
def station_code(code):
    """The station's mini-program code (小程序码) for posters: opens WECHAT_STATION_PAGE with
    scene = the station's code, in the WECHAT_ENV_VERSION of the mini-program. The image is
    WeChat's, PNG or JPEG: Content-Type says which."""
    if db.session.get(Station, code) is None:
        raise NotFound(_("No station has code %(code)s.", code=code), code="unknown_station")
    return _image(codes.mini_program_code(code, current_app.config["WECHAT_STATION_PAGE"]), "public, max-age=86400")


@blp.get("/workers/<id:worker_id>/wxacode.png")
@blp.requires(OPERATOR, COMPANY_ADMIN)
@blp.problems(404, 503)
@blp.doc(responses=code_image("The worker's 安心碼 as a mini-program code, PNG or JPEG"))
def worker_code(worker_id):
    """The worker's 安心碼 as a mini-program code, for the card: opens WECHAT_WORKER_PAGE with a
    scene that GET /wechat/scan/{scene} turns into the public profile. Rotating the 安心碼
    retires this code too. The image is WeChat's, PNG or JPEG: Content-Type says which."""
    certificate = worker_for_caller(worker_id).certificate
    if certificate.scan_token is None:
        raise NotFound(
            _("This certificate has not been issued, so it has no 安心碼 yet."), code="certificate_not_issued"
        )
    code = codes.mini_program_code(codes.worker_scene(certificate), current_app.config["WECHAT_WORKER_PAGE"])
    return _image(code, "private, no-store")  # the image is as good as the token


@blp.get("/wechat/scan/<string:scene>")
@blp.problems(404, 429)
@blp.response(200, ScanSchema)
def scan_scene(scene):
    """The public profile behind a worker's mini-program code: the page opened by the code
    passes its `scene` here (no login). Same profile, rate limit and scan log as GET /scan/{token}."""
    return scan_answer(codes.scan_token_for_scene(scene), "wxa")


# ---------------------------------------------------------------- subscribe messages (operators)


@blp.get("/wechat/messages")
@blp.requires(OPERATOR)
@blp.arguments(MessageQuery, location="query", as_kwargs=True)
@blp.response(200, MessageListSchema)
def list_messages(page, per_page, status=None, kind=None, user_id=None):
    """Subscribe messages, newest first: what was sent, what failed and with which errcode."""
    return messages.list_messages(status, kind, user_id, page, per_page)


# ---------------------------------------------------------------- WeChat's message push


@blp.get("/wechat/callback")
@blp.problems(403)
@blp.arguments(CallbackQuery, location="query", unknown="exclude")
@blp.response(200, description="echostr, as WeChat's handshake expects", content_type="text/plain")
def callback_handshake(query):
    """WeChat's server check when the push URL is configured: answers echostr if the signature
    (WECHAT_CALLBACK_TOKEN, timestamp, nonce) is right."""
    require_wechat_signature(query)
    return current_app.response_class(query.get("echostr", ""), mimetype="text/plain")


@blp.post("/wechat/callback")
@blp.problems(403)
@blp.arguments(CallbackQuery, location="query", unknown="exclude")
@blp.response(200, description="success, as WeChat expects", content_type="text/plain")
@blp.problems(400, meanings={400: "The body is neither JSON nor XML"})
def callback_push(query):
    """WeChat's message push (plaintext mode, JSON or XML): records the subscribe-message
    decisions (subscribe_msg_popup_event, subscribe_msg_change_event); other events are
    acknowledged and ignored."""
    require_wechat_signature(query)
    body = request.get_data()
    try:
        payload = parse_json_body(body) if body.lstrip().startswith(b"{") else xmltodict.parse(body)["xml"]
    except (ValueError, TypeError, KeyError, xmltodict.expat.ExpatError):
        raise BadRequest(_("The push body is neither JSON nor XML."), code="unreadable_push") from None
    services.record_template_decisions(payload)
    return current_app.response_class("success", mimetype="text/plain")
