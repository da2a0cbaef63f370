"""A stand-in for the verification service (credit.verification's API): a real HTTP server on
127.0.0.1 that the app reaches through VERIFICATION_API_BASE_URL. Tests tell it what to answer
about whom, make it hang or fail, and read back what it was asked."""

import json
import threading
from collections import defaultdict, deque

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.wechat.stub import SilentHandler

API_KEY = "stub-verification-key"
PATHS = {"checks/criminal-record": "criminal_record", "checks/insurance": "insurance", "checks/identity": "identity"}
# What the service answers by default: all is well.
ANSWERS: dict[str, dict[str, str | None]] = {
    "criminal_record": {"result": "clear", "reference": "GA-2026-000123", "checked_on": None},
    "insurance": {
        "result": "in_force",
        "reference": "PICC-ZR-2026-7788",
        "valid_from": "2026-01-01",
        "valid_until": "2099-12-31",
    },
    "identity": {"result": "verified", "reference": "CTID-5566"},
}


class StubVerification:
    def __init__(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=SilentHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.reset()

    def reset(self):
        self.requests: list[tuple[str, dict, dict]] = []  # (path, headers, JSON body)
        self.answers = {kind: dict(answer) for kind, answer in ANSWERS.items()}
        self._scripted: dict[str, deque] = defaultdict(deque)
        self._hanging = False
        self.release = threading.Event()

    def shutdown(self):
        self.release.set()
        self._server.shutdown()

    # ------------------------------------------------------------ what tests set up

    def answer(self, kind: str, **answer):
        """From now on, a `kind` check is answered with this (merged over the default)."""
        self.answers[kind] |= answer

    def fail(self, kind: str, status: int = 500, body: str = '{"error": "internal"}'):
        """The next `kind` check gets this status and body."""
        self._scripted[kind].append((status, body))

    def hang(self):
        """Every call gets no answer until the test ends (the client must time out)."""
        self._hanging = True

    # ------------------------------------------------------------ the server

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        path = request.path.lstrip("/")
        self.requests.append((path, dict(request.headers), json.loads(request.get_data() or b"null")))
        if self._hanging:
            self.release.wait(10)
        kind = PATHS.get(path)
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            response = Response('{"error": "unauthorised"}', status=401, mimetype="application/json")
        elif kind is None:
            response = Response('{"error": "no such check"}', status=404, mimetype="application/json")
        elif self._scripted[kind]:
            status, body = self._scripted[kind].popleft()
            response = Response(body, status=status, mimetype="application/json")
        else:
            response = Response(json.dumps(self.answers[kind]), mimetype="application/json")
        return response(environ, start_response)


def verification_settings(stub: StubVerification, **overrides) -> dict:
    return {
        "VERIFICATION_API_BASE_URL": stub.url,
        "VERIFICATION_API_KEY": API_KEY,
        "VERIFICATION_TIMEOUT_SECONDS": 0.5,
        **overrides,
    }
