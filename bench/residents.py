"""Residents for bench/scale_out.py: threads that do what residents do all day, through the load
balancer, and keep every answer (what was asked, when, what came back, which host answered).

Each thread calls from addresses of its own (127.1.<thread>.<n>, all loopback on Linux), so the
load balancer's X-Forwarded-For names many clients and the per-client scan limit, which the proof
keeps at its real value, refuses none of them; one resident account books (its booking limit is
lifted for the run, as in bench/run.py).

As the mini-program's and browsers' HTTP clients do, a request whose kept-alive connection was
closed before any byte of an answer is sent once more on a new connection: haproxy closes the
client's connection that way when the host it had sent the request to vanished, so that the client
retries. A booking is retried with the same Idempotency-Key, so the retry cannot book twice.
"""

import http.client
import itertools
import json
import random
import threading
import time
from dataclasses import dataclass

ADDRESSES_PER_THREAD = 20
# The reads that may be a second stale: they go to the replica and must answer while it is down.
STALE_OK = frozenset({"station list", "nearest", "company list"})
STEPS = ("scan", "nearest", "station list", "company list", "booking", "scan", "nearest", "login", "me")


@dataclass(frozen=True)
class Answer:
    step: str
    status: int  # 0: no HTTP answer (the connection failed or was cut)
    started: float
    ended: float
    host: str | None
    booking_id: int | None = None
    error: str | None = None  # when no HTTP answer came: what the client saw instead
    retried: bool = False  # sent again after its connection was cut before any answer

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


class Residents:
    def __init__(self, address: str, port: int, scan_token: str, booking_token: str, stations: list[str], threads: int):
        self.address, self.port = address, port
        self.scan_token, self.booking_token, self.stations = scan_token, booking_token, stations
        self.answers: list[Answer] = []
        self._in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._live, args=(n,), daemon=True) for n in range(1, threads + 1)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def _live(self, number: int) -> None:
        rng = random.Random(number)
        connections = [self._connect(number, n) for n in range(1, ADDRESSES_PER_THREAD + 1)]
        own_token = None
        for turn in itertools.count():
            if self._stop.is_set():
                break
            step = STEPS[turn % len(STEPS)]
            slot = turn % ADDRESSES_PER_THREAD
            method, path, headers, body = self._request(step, rng, own_token)
            answer, payload = self._ask(connections, slot, number, step, method, path, headers, body)
            if step == "login" and answer.status == 201:
                own_token = payload["token"]

    def _connect(self, number: int, n: int) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            self.address, self.port, timeout=30, source_address=(f"127.1.{number}.{n}", 0)
        )

    def _request(self, step: str, rng: random.Random, own_token: str | None):
        if step == "scan":
            return "GET", f"/api/v1/scan/{self.scan_token}", {}, None
        if step == "nearest":
            lat, lng = 22.56 + rng.random() * 1.37, 112.96 + rng.random() * 1.09
            return "GET", f"/api/v1/stations/nearest?lat={lat:.6f}&lng={lng:.6f}", {}, None
        if step == "station list":
            return "GET", f"/api/v1/stations?page={rng.randint(1, 3)}", {}, None
        if step == "company list":
            return "GET", f"/api/v1/companies?page={rng.randint(1, 2)}", {}, None
        if step == "booking":
            return (
                "POST",
                "/api/v1/bookings",
                self._resident(self.booking_token) | {"Idempotency-Key": f"scale-out-{rng.getrandbits(64):x}"},
                json.dumps(self._booking(rng)),
            )
        if step == "login":
            return "POST", "/api/v1/auth/dev-login", {"Content-Type": "application/json"}, '{"role": "resident"}'
        return "GET", "/api/v1/me", self._resident(own_token or self.booking_token), None

    @staticmethod
    def _resident(token: str) -> dict:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _booking(self, rng: random.Random) -> dict:
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + rng.randint(1, 6) * 86400))
        return {
            "station_code": rng.choice(self.stations),
            "service_code": "cleaning",
            "starts_at": f"{day}T{rng.choice((8, 10, 12, 14, 16)):02d}:00:00+08:00",
            "address": "天河区天河路 1 号",
            "location": {"lat": 23.13, "lng": 113.32},
            "contact_name": "扩容演练",
        }

    def _ask(self, connections, slot, number, step, method, path, headers, body) -> tuple[Answer, dict]:
        with self._lock:
            self._in_flight += 1
        started = time.monotonic()
        status, host, payload, error, retried = 0, None, {}, None, False
        try:
            for attempt in (1, 2):
                try:
                    connections[slot].request(method, path, body=body, headers=headers)
                    response = connections[slot].getresponse()
                    raw = response.read()
                    status, host, error = response.status, response.getheader("X-Served-By"), None
                    if status in (200, 201) and step in ("booking", "login"):
                        payload = json.loads(raw)
                    break
                except (OSError, http.client.HTTPException) as failure:
                    error = type(failure).__name__
                    connections[slot].close()
                    connections[slot] = self._connect(number, slot + 1)
                    if attempt == 2 or not isinstance(failure, http.client.RemoteDisconnected):
                        break
                    retried = True
        finally:
            with self._lock:
                self._in_flight -= 1
        booking_id = payload.get("id") if step == "booking" and status == 201 else None
        answer = Answer(step, status, started, time.monotonic(), host, booking_id, error, retried)
        with self._lock:
            self.answers.append(answer)
        return answer, payload
