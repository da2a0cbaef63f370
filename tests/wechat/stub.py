"""A stand-in for WeChat's HTTP API: a real HTTP server on 127.0.0.1 that the app reaches through
WECHAT_API_BASE_URL, exactly as it reaches WeChat. Tests tell it which codes are valid, which
errors to answer, and read back what it was asked."""

import io
import itertools
import json
import socket
import threading
from collections import Counter, defaultdict, deque

import PIL.Image
import segno
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

APPID = "wx5f3c0ffee0000001"
SECRET = "stub-app-secret"


class SilentHandler(WSGIRequestHandler):
    """WeChat's access log is not ours: keep the stub's out of the app's log, which is checked for secrets."""

    def log_request(self, *args, **kwargs):
        pass


class StubWeChat:
    def __init__(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=SilentHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        self._tokens = itertools.count(1)
        self.valid_tokens: set[str] = set()  # like WeChat's, they outlive a test
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.reset()

    def reset(self):
        self.hits: Counter = Counter()
        self.requests: list[tuple[str, dict, dict | None]] = []  # (path, query, JSON body)
        self.login_codes: dict[str, dict] = {}
        self.phone_codes: dict[str, dict] = {}
        self.sent: list[dict] = []
        # msgSecCheck's verdict (pass, review, risky) on a text containing the key; pass otherwise.
        self.text_verdicts: dict[str, str] = {}
        self._scripted: dict[str, deque] = defaultdict(deque)
        self._slow_paths: set[str] = set()
        # What getwxacodeunlimit answers: "png" as documented, "jpeg" as WeChat is reported to
        # send, "gif", "webp"; or any bytes, as they are.
        self.code_format: str | bytes = "png"
        self.release = threading.Event()
        self.token_answer_gate = threading.Event()
        self.token_answer_gate.set()

    def shutdown(self):
        self.release.set()
        self._server.shutdown()

    # ------------------------------------------------------------ what tests set up

    def accept_login(self, code: str, openid: str, session_key: str = "c2Vzc2lvbi1rZXk=", unionid: str | None = None):
        self.login_codes[code] = {
            "openid": openid,
            "session_key": session_key,
            **({"unionid": unionid} if unionid else {}),
        }

    def accept_phone(self, code: str, phone: str = "13812345678", appid: str = APPID):
        self.phone_codes[code] = {
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"appid": appid, "timestamp": 1764000000},
        }

    def judge_text(self, containing: str, suggest: str):
        """msgSecCheck answers `suggest` (pass, review or risky) for any text containing `containing`."""
        self.text_verdicts[containing] = suggest

    def answer_errors(self, path: str, *errcodes: int):
        """The next calls to `path` get these errcodes, in order; later calls behave normally."""
        self._scripted[path].extend(errcodes)

    def hang(self, path: str):
        """Calls to `path` get no answer until the test ends (the client must time out)."""
        self._slow_paths.add(path)

    def expire_tokens(self):
        """Every access token given so far stops working, as when WeChat invalidates them."""
        self.valid_tokens.clear()

    # ------------------------------------------------------------ the server

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        path = request.path.lstrip("/")
        # wechatpy posts JSON without a JSON content type, as WeChat accepts.
        body = json.loads(request.get_data() or b"null") if request.method == "POST" else None
        self.hits[path] += 1
        self.requests.append((path, dict(request.args), body))
        if path in self._slow_paths:
            self.release.wait(10)
        response = self._answer(path, request.args, body)
        return response(environ, start_response)

    def _answer(self, path: str, query, body) -> Response:
        if self._scripted[path]:
            return _json({"errcode": self._scripted[path].popleft(), "errmsg": "scripted by the test"})
        if path == "cgi-bin/token":
            self.token_answer_gate.wait(10)
            if not query.get("appid", "").startswith("wx") or query.get("secret") != SECRET:
                return _json({"errcode": 40125, "errmsg": "invalid appsecret"})
            token = f"ACCESS-TOKEN-{next(self._tokens)}"
            self.valid_tokens.add(token)
            return _json({"access_token": token, "expires_in": 7200})
        if path == "sns/jscode2session":
            answer = self.login_codes.pop(query.get("js_code"), None)  # each code is single-use
            return _json(
                answer if answer and query.get("secret") == SECRET else {"errcode": 40029, "errmsg": "invalid code"}
            )
        if query.get("access_token") not in self.valid_tokens:
            return _json({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
        if path == "wxa/business/getuserphonenumber":
            info = self.phone_codes.pop(body.get("code"), None)
            return _json(
                {"errcode": 0, "errmsg": "ok", "phone_info": info}
                if info
                else {"errcode": 40029, "errmsg": "invalid code"}
            )
        if path == "wxa/getwxacodeunlimit":
            return self._code_image(f"{body['page']}?scene={body['scene']}")
        if path == "wxa/msg_sec_check":
            return self._content_check(body)
        if path == "cgi-bin/message/subscribe/send":
            self.sent.append(body)
            return _json({"errcode": 0, "errmsg": "ok"})
        return _json({"errcode": 40066, "errmsg": "invalid url"}, status=404)

    def _content_check(self, body: dict) -> Response:
        """msgSecCheck as version 2 answers: the verdict in result.suggest. Version 1's shape
        (no openid, no scene) is refused, as WeChat refuses a malformed call."""
        if body.get("version") != 2 or not body.get("openid") or body.get("scene") not in (1, 2, 3, 4):
            return _json({"errcode": 47001, "errmsg": "data format error"})
        suggest = next((s for text, s in self.text_verdicts.items() if text in body.get("content", "")), "pass")
        label = 100 if suggest == "pass" else 20001
        return _json(
            {
                "errcode": 0,
                "errmsg": "ok",
                "result": {"suggest": suggest, "label": label},
                "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label}],
                "trace_id": "stub-trace",
            }
        )

    def _code_image(self, content: str) -> Response:
        if isinstance(self.code_format, bytes):
            return Response(self.code_format, mimetype="application/octet-stream")
        png = io.BytesIO()
        segno.make(content).save(png, kind="png", scale=4)
        if self.code_format == "png":
            return Response(png.getvalue(), mimetype="image/png")
        image = io.BytesIO()
        PIL.Image.open(png).convert("RGB").save(image, format=self.code_format)
        return Response(image.getvalue(), mimetype=f"image/{self.code_format}")


def _json(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def closed_port_url() -> str:
    """An address where nothing listens: WeChat down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
