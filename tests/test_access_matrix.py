"""Who may write what: every write endpoint x every caller, on both database backends.

The routes come from the app's own URL map, so a new write endpoint fails here until it is
classified in WRITES: who may call it, and how to build the resource it names in the caller's own
scope and in another scope. The callers are fixed identities bound to station A, company A and
resident R; "another station" means they act on station B's booking, "another company" on
company B's worker, "does not own it" on resident S's booking.

The rule (issue 5): refusals are 403; a resource in another scope that the caller may not know
about (cannot read through any GET) is 404; anonymous callers of protected routes get 401. A
refused write leaves no row behind, and nothing is ever a 500.
"""

import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, orm, select

from accounts.web_sessions import create_ticket
from app import create_app
from app.clock import today_in_beijing
from app.extensions import db
from booking.hours import seed_defaults
from credit.models import EmploymentOffer
from engagements.models import Engagement, EngagementComplaint
from sanctions.models import Listing, RepairApplication
from tests.credit.verification_stub import verification_settings
from tests.factories import (
    CLEAR_BACKGROUND_CHECK,
    GREEN_CHECKS,
    LIFECYCLE_TO_ISSUE,
    NEXT_YEAR,
    PDF,
    PRE_JOB_COURSE,
    STATION_A,
    STATION_B,
    UNLIMITED,
    bearer,
    booking_body,
    image_bytes,
    key_header,
    make_user,
    make_wechat_app,
    new_credit_code,
    new_id_number,
    offline_class_body,
    online_class_body,
    signed,
    slot_start,
    token_of,
    upload_part,
)
from tests.wechat.stub import StubWeChat

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The development configuration adds the dev login; the test configuration is the one in production.
CONFIGURATIONS = ("test", "development")


def write_routes() -> dict[str, str]:
    """'METHOD /path/{param}' of every write route -> the configuration to call it in."""
    routes: dict[str, str] = {}
    for configuration in CONFIGURATIONS:
        for rule in create_app({"TESTING": True, "APP_ENV": configuration}).url_map.iter_rules():
            if rule.rule.startswith("/console"):
                continue  # the console's pages: tests/console/test_console_access.py, from its URL map
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            for method in sorted(rule.methods & set(WRITE_METHODS)):
                routes.setdefault(f"{method} {path}", configuration)
    return routes


# ---------------------------------------------------------------- callers

OWN, OTHER = "own", "other"


@dataclass(frozen=True)
class Caller:
    name: str
    identity: str | None  # None: anonymous
    scope: str  # whose resource it acts on: OWN (station A's, company A's, R's) or OTHER


CALLERS = [
    Caller("anonymous", None, OWN),
    Caller("a resident who does not own it", "resident", OTHER),
    Caller("the resident who owns it", "resident", OWN),
    Caller("station_staff of its station", "station_staff", OWN),
    Caller("station_staff of another station", "station_staff", OTHER),
    Caller("company_admin of its company", "company_admin", OWN),
    Caller("company_admin of another company", "company_admin", OTHER),
    Caller("operator", "operator", OWN),
    # Bound to side A's worker; "another worker" acts on side B's worker's resources.
    Caller("the worker it is about", "worker", OWN),
    Caller("another worker", "worker", OTHER),
]

# ---------------------------------------------------------------- who may: one outcome per caller

ALLOWED = "allowed"  # anything but 401, 403 and 404 (a 409 from the resource's state is fine)


@dataclass(frozen=True)
class Access:
    description: str
    outcomes: dict[str, str | int]  # caller name -> ALLOWED or the refusal's status


def access(description, anonymous, non_owner, owner, staff, other_staff, admin, other_admin, operator, **workers):
    """A worker is a resident like any other wherever the rule says nothing of workers: their
    outcome is that of a resident who does not own the resource unless `worker` or `other_worker`
    says otherwise."""
    outcomes = [anonymous, non_owner, owner, staff, other_staff, admin, other_admin, operator]
    outcomes += [workers.get("worker", non_owner), workers.get("other_worker", non_owner)]
    return Access(description, dict(zip([caller.name for caller in CALLERS], outcomes, strict=True)))


#                  anonymous  resident  owner    staff    staff B  admin    admin B  operator
PUBLIC = access("anyone, anonymous included", ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
LOGGED_IN = access("anyone logged in", 401, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
# Its station's staff and operators can read the booking, so refusing them is a 403; to anyone
# else it does not exist.
BOOKING_OWNER = access("the resident who booked", 401, 404, ALLOWED, 403, 404, 404, 404, 403)
BOOKING_STATION_STAFF = access(
    "staff of the booking's station, or an operator", 401, 403, 403, ALLOWED, 404, 403, 403, ALLOWED
)
# Stations are public: another station's staff know it exists.
STATION_STAFF = access("staff of the station, or an operator", 401, 403, 403, ALLOWED, 403, 403, 403, ALLOWED)
WORKER_COMPANY_ADMIN = access(
    "admin of the worker's company, or an operator", 401, 403, 403, 403, 403, ALLOWED, 404, ALLOWED
)
# Training: the worker acts for themselves too; another worker's enrolment or attempt does not exist to them.
TRAINEE = access(
    "the worker, their company's admin, or an operator",
    401,
    403,
    403,
    403,
    403,
    ALLOWED,
    404,
    ALLOWED,
    worker=ALLOWED,
    other_worker=404,
)
# Companies are public (the grade list): another company's admin knows it exists.
COMPANY_ADMIN = access("admin of the company, or an operator", 401, 403, 403, 403, 403, ALLOWED, 403, ALLOWED)
OPERATOR = access("operators only", 401, 403, 403, 403, 403, 403, 403, ALLOWED)
# Binding by phone: the residents' phone is on side A's worker's file; nobody else's is on any.
BIND_BY_PHONE = access(
    "anyone logged in whose phone is on a file", 401, ALLOWED, ALLOWED, 404, 404, 404, 404, 404, worker=ALLOWED
)
# A worker's own side: their account, their offers (another worker's offer does not exist to them).
THE_WORKER = access("the worker it is about", 401, 403, 403, 403, 403, 403, 403, 403, worker=ALLOWED, other_worker=404)
# Objections: the worker to an event on their own ledger (the side's event is its worker's).
WORKER_EVENT_OBJECTOR = access(
    "the worker whose event it is", 401, 403, 403, 403, 403, 404, 404, 403, worker=ALLOWED, other_worker=404
)
# Nobody else reads a resident's door entries: to everyone else they do not exist.
# Sanctions: the party of a case or listing (here the side's worker) states their case and applies for repair.
SANCTIONED_PARTY = access(
    "the party of the case", 401, 403, 403, 403, 403, 404, 404, 403, worker=ALLOWED, other_worker=404
)
DOOR_ENTRY_OWNER = access("the resident who recorded the entry", 401, 404, ALLOWED, 404, 404, 404, 404, 404)
# Nobody else knows a resident waits for a slot.
WAITING_OWNER = access("the resident waiting", 401, 404, ALLOWED, 404, 404, 404, 404, 404)
CONSOLE_ROLES = access(
    "station staff, company admins and operators", 401, 403, 403, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED
)
# Engagements: the side's is asked of its station, with no worker chosen yet (so no worker reads it).
ENGAGEMENT_OWNER = access("the resident who asked for the engagement", 401, 404, ALLOWED, 403, 404, 404, 404, 403)
ENGAGEMENT_HANDLER = access(
    "staff of the engagement's station (admins of its company), or an operator",
    401,
    403,
    403,
    ALLOWED,
    404,
    404,
    404,
    ALLOWED,
)
ENGAGEMENT_WORKER_SIDE = access(
    "the chosen worker, or the engagement's handlers", 401, 404, 403, ALLOWED, 404, 404, 404, ALLOWED
)


# ---------------------------------------------------------------- the world: one side per scope


@dataclass
class Side:
    """One scope's instance of every resource a write route names."""

    station: str
    company: int
    worker: int  # issued and green, offers 保洁
    scan_token: str
    booking: int  # assigned to `worker`
    complaint: int  # submitted, about `booking`
    door_entry: int  # `worker` let in by the side's resident, without a booking
    invite: int  # pending, for the station
    invite_code: str
    grant: int  # station_staff of the station, held by someone else
    closed_day: str
    worker_event: int  # a breach on the worker's ledger
    objection: int  # open, about worker_event, by the worker's account
    document: int  # the worker's ID card, pending review
    course: int
    online_class: int  # `worker` is enrolled in it
    lesson: int  # of online_class
    session: int  # of an offline class `worker` is enrolled in
    enrolment: int  # `worker`'s, in online_class
    exam: int  # of course, which `worker` has not completed (so an attempt is a 409)
    attempt: int  # `worker`'s, open, at another course's exam
    question: int  # on attempt's paper
    refresher_course: int
    web_ticket: str  # a console log-in code waiting for its approval
    stub: StubWeChat = field(repr=False)
    offer: int = 0  # the other side's company offering to employ the worker (made once both exist)
    series: int = 0  # the side's resident's, two dates booked (_series_and_waiting)
    waiting_entry: int = 0  # the side's resident waiting in a full slot (_series_and_waiting)
    case: int = 0  # a 失信 case against `worker`, stated, opened by another operator
    listing: int = 0  # `worker` on the 失信名单 (made last: it turns the worker red)
    repair: int = 0  # the worker's pending repair application of `listing`
    engagement: int = 0  # requested of the side's station by the side's resident
    door_complaint: int = 0  # about door_entry, submitted
    engagement_complaint: int = 0  # about engagement, submitted (written straight to the table)

    def login_code(self) -> str:
        code = uuid.uuid4().hex
        self.stub.accept_login(code, openid=f"matrix-{code}")
        return code

    def phone_code(self) -> str:
        code = uuid.uuid4().hex
        self.stub.accept_phone(code, phone=next_phone())
        return code


@dataclass(frozen=True)
class Call:
    path: dict = field(default_factory=dict)
    json: dict | None = None
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    data: str | dict | None = None  # a text body, or a form whose file parts make it multipart


def no_body(side: Side) -> Call:
    return Call()


@dataclass(frozen=True)
class Write:
    """Who may call a write route, and the call made for a side (its path parameters and body)."""

    access: Access
    call: Callable[[Side], Call] = no_body


def in_a_month() -> str:
    return (today_in_beijing() + timedelta(days=30)).isoformat()


def new_worker(side: Side) -> dict:
    return {"name": "黄丽娟", "id_number": new_id_number(), "company_id": side.company}


def booking(body: dict | None = None) -> Callable[[Side], Call]:
    return lambda side: Call(path={"booking_id": side.booking}, json=body or {})


def worker(body: dict | None = None) -> Callable[[Side], Call]:
    return lambda side: Call(path={"worker_id": side.worker}, json=body or {})


def door_entry(body: dict) -> Callable[[Side], Call]:
    return lambda side: Call(path={"entry_id": side.door_entry}, json=body)


def complaint(side: Side) -> Call:
    return Call(path={"complaint_id": side.complaint}, json={"reason": "已联系双方"})


def door_complaint(side: Side) -> Call:
    return Call(path={"complaint_id": side.door_complaint}, json={"reason": "已联系双方"})


def upload(**fields) -> Callable[[Side], Call]:
    """A multipart upload of a fresh picture to the side's worker."""
    return lambda side: Call(
        path={"worker_id": side.worker}, data={"file": upload_part(image_bytes("JPEG", (300, 400)))} | fields
    )


def document(body: dict | None = None) -> Callable[[Side], Call]:
    return lambda side: Call(path={"worker_id": side.worker, "document_id": side.document}, json=body or {})


def engagement(body: dict) -> Callable[[Side], Call]:
    return lambda side: Call(path={"engagement_id": side.engagement}, json=body)


def engagement_request(station: str) -> dict:
    return {
        "service_code": "maternity",
        "station_code": station,
        "start_day": in_a_month(),
        "length": 26,
        "length_unit": "days",
        "live_in": True,
        "address": "天河区五山路 1 号 2 栋 301",
    }


STEP_BODIES = dict(LIFECYCLE_TO_ISSUE)
EXAM_SETTINGS = {"rules": [{"count": 1}], "duration_minutes": 30, "max_attempts": 2, "retake_wait_hours": 24}
QUESTION = {
    "kind": "true_false",
    "text": "入户前须出示安心服务证。",
    "options": ["对", "错"],
    "answer": [0],
    "difficulty": 1,
}
REASON = {"reason": "核查"}
# A cleaning slot each side's world fills (three places) and its resident waits for.
FULL_SLOT = {"service_code": "cleaning", "starts_at": slot_start(4, 16).isoformat()}
CREDIT_EVENT = {"kind": "breach", "reason": "矩阵测试"}

WRITES: dict[str, Write] = {
    # ---- identity
    "POST /api/v1/auth/wechat/login": Write(PUBLIC, lambda side: Call(json={"code": side.login_code()})),
    "POST /api/v1/auth/dev-login": Write(PUBLIC, lambda side: Call(json={"role": "resident"})),
    "POST /api/v1/wechat/callback": Write(
        PUBLIC,
        lambda side: Call(
            query=signed(),
            data='{"MsgType": "event", "Event": "subscribe_msg_popup_event", "List": []}',
            headers={"Content-Type": "application/json"},
        ),
    ),
    "POST /api/v1/auth/wechat/phone": Write(LOGGED_IN, lambda side: Call(json={"code": side.phone_code()})),
    "POST /api/v1/auth/logout": Write(LOGGED_IN),
    "POST /api/v1/auth/web-tickets/{ticket}/approve": Write(
        CONSOLE_ROLES, lambda side: Call(path={"ticket": side.web_ticket})
    ),
    # ---- staff invites and role grants
    "POST /api/v1/invites": Write(
        OPERATOR, lambda side: Call(json={"role": "station_staff", "station_code": side.station})
    ),
    "DELETE /api/v1/invites/{invite_id}": Write(OPERATOR, lambda side: Call(path={"invite_id": side.invite})),
    "POST /api/v1/invites/redeem": Write(LOGGED_IN, lambda side: Call(json={"code": side.invite_code})),
    "DELETE /api/v1/role-grants/{grant_id}": Write(OPERATOR, lambda side: Call(path={"grant_id": side.grant})),
    # ---- the worker's own account
    "POST /api/v1/auth/worker/bind-phone": Write(BIND_BY_PHONE),
    "POST /api/v1/workers/{worker_id}/account-invites": Write(WORKER_COMPANY_ADMIN, worker()),
    "POST /api/v1/workers/{worker_id}/employment/end": Write(WORKER_COMPANY_ADMIN, worker(REASON)),
    "POST /api/v1/me/worker/employment/end": Write(
        access(
            "any worker, of their own", 401, 403, 403, 403, 403, 403, 403, 403, worker=ALLOWED, other_worker=ALLOWED
        ),
        lambda side: Call(json=REASON),
    ),
    "POST /api/v1/me/worker/offers/{offer_id}/accept": Write(
        THE_WORKER, lambda side: Call(path={"offer_id": side.offer})
    ),
    "POST /api/v1/me/worker/offers/{offer_id}/decline": Write(
        THE_WORKER, lambda side: Call(path={"offer_id": side.offer})
    ),
    # ---- objections
    "POST /api/v1/credit-events/{event_id}/objections": Write(
        WORKER_EVENT_OBJECTOR,
        lambda side: Call(
            path={"event_id": side.worker_event},
            data={"reason": "不属实", "file": upload_part(PDF, "evidence.pdf", "application/pdf")},
        ),
    ),
    "POST /api/v1/objections/{objection_id}/uphold": Write(
        OPERATOR, lambda side: Call(path={"objection_id": side.objection}, json=REASON)
    ),
    "POST /api/v1/objections/{objection_id}/reject": Write(
        OPERATOR, lambda side: Call(path={"objection_id": side.objection}, json=REASON)
    ),
    # ---- companies and workers
    "POST /api/v1/companies": Write(
        OPERATOR,
        lambda side: Call(
            json={"name": "穗城家政服务有限公司", "credit_code": new_credit_code(), "district_code": "440106"}
        ),
    ),
    "PATCH /api/v1/companies/{company_id}": Write(
        COMPANY_ADMIN, lambda side: Call(path={"company_id": side.company}, json={"contact_phone_public": True})
    ),
    "POST /api/v1/companies/{company_id}/credit-events": Write(
        OPERATOR, lambda side: Call(path={"company_id": side.company}, json=CREDIT_EVENT)
    ),
    "POST /api/v1/workers": Write(COMPANY_ADMIN, lambda side: Call(json=new_worker(side))),
    "PATCH /api/v1/workers/{worker_id}": Write(WORKER_COMPANY_ADMIN, worker({"years_of_experience": 6})),
    "POST /api/v1/workers/{worker_id}/credit-events": Write(OPERATOR, worker(CREDIT_EVENT)),
    # ---- the certificate lifecycle
    "POST /api/v1/workers/{worker_id}/certificate/documents": Write(OPERATOR, worker(STEP_BODIES["documents"])),
    "POST /api/v1/workers/{worker_id}/certificate/training": Write(OPERATOR, worker(STEP_BODIES["training"])),
    "POST /api/v1/workers/{worker_id}/certificate/exam": Write(OPERATOR, worker(STEP_BODIES["exam"])),
    "POST /api/v1/workers/{worker_id}/certificate/identity": Write(OPERATOR, worker(STEP_BODIES["identity"])),
    "POST /api/v1/workers/{worker_id}/certificate/issue": Write(OPERATOR, worker()),
    "POST /api/v1/workers/{worker_id}/certificate/suspend": Write(OPERATOR, worker(REASON)),
    "POST /api/v1/workers/{worker_id}/certificate/reinstate": Write(OPERATOR, worker(REASON)),
    "POST /api/v1/workers/{worker_id}/certificate/revoke": Write(OPERATOR, worker(REASON)),
    "POST /api/v1/workers/{worker_id}/certificate/expire": Write(OPERATOR, worker()),
    "POST /api/v1/workers/{worker_id}/certificate/renew": Write(OPERATOR, worker()),
    "PUT /api/v1/workers/{worker_id}/certificate/health-certificate": Write(
        OPERATOR, worker({"valid_until": NEXT_YEAR})
    ),
    "POST /api/v1/workers/{worker_id}/certificate/withdraw-authorisation": Write(OPERATOR, worker(REASON)),
    "POST /api/v1/workers/{worker_id}/certificate/rotate-code": Write(OPERATOR, worker()),
    # ---- background check, insurance, real name
    "POST /api/v1/workers/{worker_id}/checks": Write(OPERATOR, worker(CLEAR_BACKGROUND_CHECK)),
    "POST /api/v1/workers/{worker_id}/checks/verification": Write(OPERATOR, worker({"kind": "identity"})),
    # ---- evidence on file
    "POST /api/v1/workers/{worker_id}/documents": Write(WORKER_COMPANY_ADMIN, upload(kind="id_card_back")),
    "POST /api/v1/workers/{worker_id}/documents/{document_id}/accept": Write(OPERATOR, document()),
    "POST /api/v1/workers/{worker_id}/documents/{document_id}/refuse": Write(OPERATOR, document(REASON)),
    "PUT /api/v1/workers/{worker_id}/photo": Write(WORKER_COMPANY_ADMIN, upload()),
    # ---- a station's hours
    "PUT /api/v1/stations/{code}/offers/{service_code}": Write(
        STATION_STAFF,
        lambda side: Call(
            path={"code": side.station, "service_code": "cleaning"},
            json={"opens_at": "08:00", "closes_at": "18:00", "slot_minutes": 120, "capacity": 3},
        ),
    ),
    "PUT /api/v1/stations/{code}/closed-days/{day}": Write(
        STATION_STAFF, lambda side: Call(path={"code": side.station, "day": in_a_month()}, json={"reason": "盘点"})
    ),
    "DELETE /api/v1/stations/{code}/closed-days/{day}": Write(
        STATION_STAFF, lambda side: Call(path={"code": side.station, "day": side.closed_day})
    ),
    # ---- residents' bookings
    "POST /api/v1/bookings": Write(
        LOGGED_IN, lambda side: Call(json=booking_body(slot_start(3), station_code=side.station), headers=key_header())
    ),
    "POST /api/v1/bookings/{booking_id}/cancel": Write(BOOKING_OWNER, booking({"reason": "不需要了"})),
    "POST /api/v1/bookings/{booking_id}/reschedule": Write(
        BOOKING_OWNER, booking({"starts_at": slot_start(2, 14).isoformat()})
    ),
    "POST /api/v1/bookings/{booking_id}/entry": Write(
        BOOKING_OWNER, lambda side: Call(path={"booking_id": side.booking}, json={"token": side.scan_token})
    ),
    "POST /api/v1/bookings/{booking_id}/rating": Write(BOOKING_OWNER, booking({"stars": 5, "text": "很好"})),
    "POST /api/v1/bookings/{booking_id}/complaints": Write(
        BOOKING_OWNER, booking({"type": "lateness", "text": "迟到"})
    ),
    # ---- station staff on bookings and complaints
    "POST /api/v1/bookings/{booking_id}/confirm": Write(BOOKING_STATION_STAFF, booking()),
    "POST /api/v1/bookings/{booking_id}/reject": Write(BOOKING_STATION_STAFF, booking({"reason": "人手不足"})),
    "POST /api/v1/bookings/{booking_id}/assign": Write(
        BOOKING_STATION_STAFF, lambda side: Call(path={"booking_id": side.booking}, json={"worker_id": side.worker})
    ),
    "POST /api/v1/bookings/{booking_id}/start": Write(BOOKING_STATION_STAFF, booking()),
    "POST /api/v1/bookings/{booking_id}/complete": Write(BOOKING_STATION_STAFF, booking()),
    "POST /api/v1/bookings/{booking_id}/follow-up": Write(BOOKING_STATION_STAFF, booking({"satisfied": True})),
    "POST /api/v1/complaints/{complaint_id}/accept": Write(BOOKING_STATION_STAFF, complaint),
    "POST /api/v1/complaints/{complaint_id}/uphold": Write(BOOKING_STATION_STAFF, complaint),
    "POST /api/v1/complaints/{complaint_id}/dismiss": Write(BOOKING_STATION_STAFF, complaint),
    "POST /api/v1/complaints/{complaint_id}/invalidate": Write(BOOKING_STATION_STAFF, complaint),
    "POST /api/v1/complaints/{complaint_id}/close": Write(BOOKING_STATION_STAFF, complaint),
    # ---- at the door without a booking
    "POST /api/v1/door-entries": Write(LOGGED_IN, lambda side: Call(json={"token": side.scan_token})),
    "POST /api/v1/door-entries/{entry_id}/rating": Write(DOOR_ENTRY_OWNER, door_entry({"stars": 4, "text": "准时"})),
    "POST /api/v1/door-entries/{entry_id}/complaints": Write(DOOR_ENTRY_OWNER, door_entry({"text": "迟到"})),
    "POST /api/v1/bookings/{booking_id}/no-show": Write(BOOKING_STATION_STAFF, booking({"party": "resident"})),
    "POST /api/v1/stations/{code}/bookings": Write(
        STATION_STAFF,
        lambda side: Call(
            path={"code": side.station},
            json={key: value for key, value in booking_body(slot_start(3)).items() if key != "station_code"}
            | {"caller_name": "陈伯", "caller_phone": "13912345678", "channel": "phone", "consent": True},
            headers=key_header(),
        ),
    ),
    "POST /api/v1/bookings/claim": Write(LOGGED_IN),
    # ---- operators handle door complaints (no station is behind the hire)
    "POST /api/v1/door-complaints/{complaint_id}/accept": Write(OPERATOR, door_complaint),
    "POST /api/v1/door-complaints/{complaint_id}/uphold": Write(OPERATOR, door_complaint),
    "POST /api/v1/door-complaints/{complaint_id}/dismiss": Write(OPERATOR, door_complaint),
    "POST /api/v1/door-complaints/{complaint_id}/invalidate": Write(OPERATOR, door_complaint),
    "POST /api/v1/door-complaints/{complaint_id}/close": Write(OPERATOR, door_complaint),
    # ---- training (a trainer is an operator; the worker's own role joins the company admin's rows)
    "POST /api/v1/training/courses": Write(OPERATOR, lambda side: Call(json=PRE_JOB_COURSE)),
    "POST /api/v1/training/courses/{course_id}/classes": Write(
        OPERATOR, lambda side: Call(path={"course_id": side.course}, json=online_class_body())
    ),
    "POST /api/v1/training/classes/{class_id}/enrolments": Write(
        TRAINEE, lambda side: Call(path={"class_id": side.online_class}, json={"worker_id": side.worker})
    ),
    "POST /api/v1/training/enrolments/{enrolment_id}/cancel": Write(
        TRAINEE, lambda side: Call(path={"enrolment_id": side.enrolment}, json={"reason": "改期"})
    ),
    "POST /api/v1/training/sessions/{session_id}/check-in": Write(
        TRAINEE,
        lambda side: Call(path={"session_id": side.session}, json={"worker_id": side.worker, "code": "1.2.3"}),
    ),
    "POST /api/v1/training/sessions/{session_id}/attendance": Write(
        OPERATOR,
        lambda side: Call(path={"session_id": side.session}, json={"worker_id": side.worker, "reason": "现场核对"}),
    ),
    "POST /api/v1/training/lessons/{lesson_id}/open": Write(
        TRAINEE, lambda side: Call(path={"lesson_id": side.lesson}, json={"worker_id": side.worker})
    ),
    "PUT /api/v1/training/lessons/{lesson_id}/pdf": Write(
        OPERATOR,
        lambda side: Call(
            path={"lesson_id": side.lesson}, data={"file": upload_part(PDF, "讲义.pdf", "application/pdf")}
        ),
    ),
    "PUT /api/v1/training/courses/{course_id}/exam": Write(
        OPERATOR, lambda side: Call(path={"course_id": side.course}, json=EXAM_SETTINGS)
    ),
    "POST /api/v1/training/courses/{course_id}/questions": Write(
        OPERATOR, lambda side: Call(path={"course_id": side.course}, json=QUESTION)
    ),
    "POST /api/v1/training/exams/{exam_id}/attempts": Write(
        TRAINEE, lambda side: Call(path={"exam_id": side.exam}, json={"worker_id": side.worker})
    ),
    "POST /api/v1/training/exams/{exam_id}/practical-scores": Write(
        OPERATOR,
        lambda side: Call(
            path={"exam_id": side.exam}, json={"worker_id": side.worker, "examiner_name": "王考评员", "points": [1]}
        ),
    ),
    "PUT /api/v1/training/attempts/{attempt_id}/answers/{question_id}": Write(
        TRAINEE,
        lambda side: Call(path={"attempt_id": side.attempt, "question_id": side.question}, json={"choices": [0]}),
    ),
    "POST /api/v1/training/attempts/{attempt_id}/submit": Write(
        TRAINEE, lambda side: Call(path={"attempt_id": side.attempt})
    ),
    "POST /api/v1/training/workers/{worker_id}/refreshers": Write(
        OPERATOR,
        lambda side: Call(
            path={"worker_id": side.worker},
            json={"course_id": side.refresher_course, "due_on": in_a_month(), "reason": "投诉成立"},
        ),
    ),
    "POST /api/v1/training/lessons/{lesson_id}/heartbeat": Write(
        TRAINEE, lambda side: Call(path={"lesson_id": side.lesson}, json={"worker_id": side.worker})
    ),
    # ---- publication: dated grade lists and 示范 selections (the reads are public)
    "POST /api/v1/publications/grade-lists": Write(OPERATOR, lambda side: Call(json={"title": "2026年度信用等级名单"})),
    "POST /api/v1/publications/selections": Write(
        OPERATOR, lambda side: Call(json={"title": "2026年度诚信示范企业", "company_ids": [side.company]})
    ),
    # ---- recurring series and the waiting list
    "POST /api/v1/series": Write(
        LOGGED_IN,
        lambda side: Call(
            json=booking_body(slot_start(3, 16), station_code=side.station, count=2), headers=key_header()
        ),
    ),
    "POST /api/v1/series/{series_id}/cancel": Write(
        BOOKING_OWNER, lambda side: Call(path={"series_id": side.series}, json={"reason": "不需要了"})
    ),
    "POST /api/v1/waiting-entries": Write(
        LOGGED_IN, lambda side: Call(json=FULL_SLOT | {"station_code": side.station})
    ),
    "POST /api/v1/waiting-entries/{entry_id}/leave": Write(
        WAITING_OWNER, lambda side: Call(path={"entry_id": side.waiting_entry})
    ),
    "POST /api/v1/waiting-entries/{entry_id}/take": Write(
        WAITING_OWNER,
        lambda side: Call(
            path={"entry_id": side.waiting_entry},
            json={k: v for k, v in booking_body().items() if k not in ("station_code", *FULL_SLOT)},
            headers=key_header(),
        ),
    ),
    # ---- sanctions (失信): operators open and decide, the party states its case and applies for repair
    "POST /api/v1/sanctions/cases": Write(
        OPERATOR,
        lambda side: Call(
            json={"worker_id": side.worker, "category": "platform_fraud", "facts": "刷单", "measure": "warning"}
        ),
    ),
    "POST /api/v1/sanctions/cases/{case_id}/evidence": Write(
        OPERATOR,
        lambda side: Call(path={"case_id": side.case}, data={"file": upload_part(PDF, "核查.pdf", "application/pdf")}),
    ),
    "POST /api/v1/sanctions/cases/{case_id}/statement": Write(
        SANCTIONED_PARTY,
        lambda side: Call(
            path={"case_id": side.case},
            data={"statement": "不属实", "file": upload_part(PDF, "申辩.pdf", "application/pdf")},
        ),
    ),
    "POST /api/v1/sanctions/cases/{case_id}/decision": Write(
        OPERATOR, lambda side: Call(path={"case_id": side.case}, json={"outcome": "dismiss", "reason": "证据不足"})
    ),
    "POST /api/v1/sanctions/listings/{listing_id}/repairs": Write(
        SANCTIONED_PARTY,
        lambda side: Call(
            path={"listing_id": side.listing},
            data={"correction": "已整改", "file": upload_part(PDF, "整改.pdf", "application/pdf")},
        ),
    ),
    "POST /api/v1/sanctions/repairs/{repair_id}/approve": Write(
        OPERATOR, lambda side: Call(path={"repair_id": side.repair}, json=REASON)
    ),
    "POST /api/v1/sanctions/repairs/{repair_id}/refuse": Write(
        OPERATOR, lambda side: Call(path={"repair_id": side.repair}, json=REASON)
    ),
    "POST /api/v1/sanctions/worker-checks": Write(
        access("company admins and operators", 401, 403, 403, 403, 403, ALLOWED, ALLOWED, ALLOWED),
        lambda side: Call(json={"id_number": new_id_number()}),
    ),
    # ---- engagements (长期/住家服务)
    "POST /api/v1/engagements": Write(LOGGED_IN, lambda side: Call(json=engagement_request(side.station))),
    **{
        f"POST /api/v1/engagements/{{engagement_id}}/{action}": Write(ENGAGEMENT_OWNER, engagement(body))
        for action, body in (
            ("interviews", {"candidate_id": 1, "at": f"{in_a_month()}T15:00:00+08:00", "mode": "video"}),
            ("choose", {"candidate_id": 1}),
            ("confirm", {}),
            ("cancel", {"reason": "改期"}),
            ("end-early", {"reason": "不需要了"}),
            ("extend", {"length": 3, "length_unit": "days"}),
            ("rating", {"stars": 5}),
        )
    },
    "POST /api/v1/engagements/{engagement_id}/start": Write(
        ENGAGEMENT_OWNER, lambda side: Call(path={"engagement_id": side.engagement}, json={"token": side.scan_token})
    ),
    "POST /api/v1/engagements/{engagement_id}/end": Write(
        ENGAGEMENT_OWNER, lambda side: Call(path={"engagement_id": side.engagement}, json={"token": side.scan_token})
    ),
    "POST /api/v1/engagements/{engagement_id}/worker-confirm": Write(
        ENGAGEMENT_WORKER_SIDE, engagement({"contract_reference": "HT-1", "contract_signed_on": in_a_month()})
    ),
    "POST /api/v1/engagements/{engagement_id}/proposals": Write(
        ENGAGEMENT_HANDLER,
        lambda side: Call(path={"engagement_id": side.engagement}, json={"worker_ids": [side.worker]}),
    ),
    "POST /api/v1/engagements/{engagement_id}/follow-ups": Write(ENGAGEMENT_HANDLER, engagement({"satisfied": True})),
    # ---- complaints about an engagement: its resident files, its handlers handle
    "POST /api/v1/engagements/{engagement_id}/complaints": Write(
        ENGAGEMENT_OWNER, engagement({"type": "attitude", "text": "态度不好"})
    ),
    **{
        f"POST /api/v1/engagement-complaints/{{complaint_id}}/{action}": Write(
            ENGAGEMENT_HANDLER,
            lambda side: Call(path={"complaint_id": side.engagement_complaint}, json={"reason": "已联系双方"}),
        )
        for action in ("accept", "uphold", "dismiss", "invalidate", "close")
    },
}

ROUTES = write_routes()
_phones = itertools.count(13700000000)


def next_phone() -> str:
    return str(next(_phones))


# ---------------------------------------------------------------- building the world once per backend


@dataclass(frozen=True)
class World:
    connection: object
    clients: dict  # configuration -> test client
    headers: dict[str, dict]  # identity -> Authorization header
    sides: dict[str, Side]


def _ok(response):
    assert response.status_code in (200, 201), (response.status_code, response.json)
    return response.json


def _open_attempt(client, operator: dict, worker_id: int) -> tuple[int, dict]:
    """A refresher course and an open attempt of the worker at its exam, having completed it."""
    refresher = PRE_JOB_COURSE | {"purpose": "refresher"}
    course = _ok(client.post("/api/v1/training/courses", json=refresher, headers=operator))["id"]
    _ok(client.post(f"/api/v1/training/courses/{course}/questions", json=QUESTION, headers=operator))
    _ok(client.put(f"/api/v1/training/courses/{course}/exam", json=EXAM_SETTINGS, headers=operator))
    exam = _ok(client.get(f"/api/v1/training/courses/{course}/exam", headers=operator))["id"]
    offline = _ok(
        client.post(f"/api/v1/training/courses/{course}/classes", json=offline_class_body(), headers=operator)
    )
    _ok(
        client.post(
            f"/api/v1/training/classes/{offline['id']}/enrolments", json={"worker_id": worker_id}, headers=operator
        )
    )
    _ok(
        client.post(
            f"/api/v1/training/sessions/{offline['sessions'][0]['id']}/attendance",
            json={"worker_id": worker_id, "reason": "现场"},
            headers=operator,
        )
    )
    return course, _ok(
        client.post(f"/api/v1/training/exams/{exam}/attempts", json={"worker_id": worker_id}, headers=operator)
    )


def _sanctions_side(client, side: Side, operator: dict, opener: dict, worker: dict) -> None:
    """A stated case against the side's worker (opened by another operator, so `operator` may
    decide it), the worker on the 失信名单 by a second case, and a pending repair of that listing
    (written directly: applying waits SANCTIONS_REPAIR_MIN_DAYS)."""
    case_ids = []
    for measure in ("warning", "listing"):
        body = {"worker_id": side.worker, "category": "platform_fraud", "facts": "刷单", "measure": measure}
        case = _ok(
            client.post(
                "/api/v1/sanctions/cases",
                json=body | ({"period_days": 365} if measure == "listing" else {}),
                headers=opener,
            )
        )
        _ok(
            client.post(
                f"/api/v1/sanctions/cases/{case['id']}/statement",
                data={"statement": "不属实"},
                content_type="multipart/form-data",
                headers=worker,
            )
        )
        case_ids.append(case["id"])
    _ok(
        client.post(
            f"/api/v1/sanctions/cases/{case_ids[1]}/decision",
            json={"outcome": "uphold", "reason": "属实"},
            headers=operator,
        )
    )
    with client.application.app_context():
        listing = db.session.scalars(select(Listing).where(Listing.case_id == case_ids[1])).one()
        repair = RepairApplication(listing_id=listing.id, correction="已整改", applied_by_id=listing.case.stated_by_id)
        db.session.add(repair)
        db.session.commit()
        side.case, side.listing, side.repair = case_ids[0], listing.id, repair.id


def _build_world(client, wechat) -> tuple[dict, dict]:
    """The callers' headers and both sides, made through the API as operators and residents would."""
    with client.application.app_context():
        seed_defaults()
        db.session.commit()
        operator = bearer(make_user("operator", phone=next_phone()))
        # Each side's worker has its resident's phone on file (binding by phone finds it).
        owner_phones = {OWN: next_phone(), OTHER: next_phone()}
        owners = {scope: bearer(make_user(phone=phone)) for scope, phone in owner_phones.items()}
    sides: dict[str, Side] = {}
    workers: dict[str, dict] = {}
    for scope, station in ((OWN, STATION_A), (OTHER, STATION_B)):
        company = _ok(
            client.post(
                "/api/v1/companies",
                headers=operator,
                json={
                    "name": "羊城好帮手家政服务有限公司",
                    "credit_code": new_credit_code(),
                    "district_code": "440106",
                },
            )
        )["id"]
        applicant = _ok(
            client.post(
                "/api/v1/workers",
                headers=operator,
                json={
                    "name": "张秀梅",
                    "id_number": new_id_number(),
                    "phone": owner_phones[scope],
                    "service_types": ["cleaning"],
                    "company_id": company,
                },
            )
        )
        for action, body in LIFECYCLE_TO_ISSUE:
            issued = _ok(
                client.post(f"/api/v1/workers/{applicant['id']}/certificate/{action}", json=body, headers=operator)
            )
        for body in GREEN_CHECKS:  # green, so that it can be assigned
            _ok(client.post(f"/api/v1/workers/{applicant['id']}/checks", json=body, headers=operator))
        booked = _ok(
            client.post(
                "/api/v1/bookings", json=booking_body(station_code=station), headers=owners[scope] | key_header()
            )
        )["id"]
        _ok(client.post(f"/api/v1/bookings/{booked}/confirm", headers=operator))
        _ok(client.post(f"/api/v1/bookings/{booked}/assign", json={"worker_id": issued["id"]}, headers=operator))
        complained = _ok(
            client.post(
                f"/api/v1/bookings/{booked}/complaints",
                headers=owners[scope],
                json={"type": "attitude", "text": "态度差"},
            )
        )["id"]
        entered = _ok(client.post("/api/v1/door-entries", json={"token": token_of(issued)}, headers=owners[scope]))
        door_complained = _ok(
            client.post(
                f"/api/v1/door-entries/{entered['id']}/complaints", json={"text": "迟到"}, headers=owners[scope]
            )
        )["id"]
        invite = _ok(
            client.post("/api/v1/invites", json={"role": "station_staff", "station_code": station}, headers=operator)
        )
        closed_day = (today_in_beijing() + timedelta(days=40)).isoformat()
        _ok(
            client.put(
                f"/api/v1/stations/{station}/closed-days/{closed_day}", json={"reason": "培训"}, headers=operator
            )
        )
        id_card = _ok(
            client.post(
                f"/api/v1/workers/{issued['id']}/documents",
                data={"kind": "id_card_front", "file": upload_part(image_bytes("JPEG", (300, 200)))},
                headers=operator,
            )
        )
        with client.application.app_context():
            grant = make_user("station_staff", station_code=station).grants[0].id
            workers[scope] = bearer(make_user("worker", worker_id=issued["id"], phone=next_phone()))
            web_ticket = create_ticket().ticket.scene
            db.session.commit()
        worker_event = _ok(
            client.post(f"/api/v1/workers/{issued['id']}/credit-events", json=CREDIT_EVENT, headers=operator)
        )["id"]
        objection = _ok(
            client.post(
                f"/api/v1/credit-events/{worker_event}/objections",
                data={"reason": "不属实"},
                content_type="multipart/form-data",
                headers=workers[scope],
            )
        )["id"]
        course = _ok(client.post("/api/v1/training/courses", json=PRE_JOB_COURSE, headers=operator))["id"]
        online = _ok(
            client.post(f"/api/v1/training/courses/{course}/classes", json=online_class_body(), headers=operator)
        )
        offline = _ok(
            client.post(f"/api/v1/training/courses/{course}/classes", json=offline_class_body(), headers=operator)
        )
        enrolment = _ok(
            client.post(
                f"/api/v1/training/classes/{online['id']}/enrolments",
                json={"worker_id": issued["id"]},
                headers=operator,
            )
        )["id"]
        _ok(
            client.post(
                f"/api/v1/training/classes/{offline['id']}/enrolments",
                json={"worker_id": issued["id"]},
                headers=operator,
            )
        )
        _ok(client.put(f"/api/v1/training/courses/{course}/exam", json=EXAM_SETTINGS, headers=operator))
        exam = _ok(client.get(f"/api/v1/training/courses/{course}/exam", headers=operator))["id"]
        refresher_course, attempt = _open_attempt(client, operator, issued["id"])
        sides[scope] = Side(
            station=station,
            company=company,
            worker=issued["id"],
            scan_token=token_of(issued),
            booking=booked,
            complaint=complained,
            door_entry=entered["id"],
            invite=invite["id"],
            invite_code=invite["code"],
            grant=grant,
            closed_day=closed_day,
            worker_event=worker_event,
            objection=objection,
            document=id_card["id"],
            course=course,
            online_class=online["id"],
            lesson=online["lessons"][0]["id"],
            session=offline["sessions"][0]["id"],
            enrolment=enrolment,
            exam=exam,
            attempt=attempt["id"],
            question=attempt["questions"][0]["question_id"],
            refresher_course=refresher_course,
            web_ticket=web_ticket,
            stub=wechat,
            door_complaint=door_complained,
        )
    with client.application.app_context():
        for scope, other in ((OWN, OTHER), (OTHER, OWN)):
            offer = EmploymentOffer(worker_id=sides[scope].worker, company_id=sides[other].company)
            db.session.add(offer)
            db.session.commit()
            sides[scope].offer = offer.id
    _series_and_waiting(client, operator, owners, sides)
    with client.application.app_context():
        opener = bearer(make_user("operator", phone=next_phone()))
    for scope in (OWN, OTHER):
        _sanctions_side(client, sides[scope], operator, opener, workers[scope])
    for scope in (OWN, OTHER):
        asked = client.post("/api/v1/engagements", json=engagement_request(sides[scope].station), headers=owners[scope])
        sides[scope].engagement = _ok(asked)["id"]
    with client.application.app_context():
        for side in sides.values():
            asker = db.session.get_one(Engagement, side.engagement).resident_id
            filed = EngagementComplaint(
                engagement_id=side.engagement, type="attitude", text="态度不好", submitted_by_id=asker
            )
            db.session.add(filed)
            db.session.commit()
            side.engagement_complaint = filed.id
    with client.application.app_context():
        headers = {
            "resident": owners[OWN],
            "operator": operator,
            "station_staff": bearer(make_user("station_staff", station_code=STATION_A, phone=next_phone())),
            "company_admin": bearer(make_user("company_admin", company_id=sides[OWN].company, phone=next_phone())),
            "worker": workers[OWN],
        }
    return headers, sides


def _series_and_waiting(client, operator: dict, owners: dict, sides: dict[str, Side]) -> None:
    """Each side's resident books a series and waits in a slot the operator fills."""
    for scope, side in sides.items():
        body = booking_body(slot_start(2, 12), station_code=side.station, count=2)
        side.series = _ok(client.post("/api/v1/series", json=body, headers=owners[scope] | key_header()))["id"]
        slot = FULL_SLOT | {"station_code": side.station}
        for _ in range(3):
            _ok(client.post("/api/v1/bookings", json=booking_body(**slot), headers=operator | key_header()))
        side.waiting_entry = _ok(client.post("/api/v1/waiting-entries", json=slot, headers=owners[scope]))["id"]


@pytest.fixture(scope="module")
def world(app, stub, verification_stub):
    """The world, built once per backend inside a transaction that is rolled back at the end; each
    test runs in a savepoint of its own (`attempt`)."""
    test_app = make_wechat_app(app, stub, **UNLIMITED, **verification_settings(verification_stub))
    development_app = create_app(
        {
            "TESTING": True,
            "APP_ENV": "development",
            **UNLIMITED,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    with test_app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    shared_session = db.session
    db.session = orm.scoped_session(orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        headers, sides = _build_world(test_app.test_client(), stub)
        yield World(
            connection, {"test": test_app.test_client(), "development": development_app.test_client()}, headers, sides
        )
    finally:
        db.session.remove()
        db.session = shared_session
        transaction.rollback()
        connection.close()
        with development_app.app_context():
            db.engine.dispose()
        with test_app.app_context():
            db.engine.dispose()


@pytest.fixture
def attempt(world):
    """The world as built: whatever a test writes is rolled back after it."""
    savepoint = world.connection.begin_nested()
    yield world
    savepoint.rollback()


def row_counts(application) -> dict[str, int]:
    with application.app_context():
        tables = list(db.metadata.sorted_tables)
        counts = db.session.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables]))
        return dict(zip([t.name for t in tables], counts.one(), strict=True))


# ---------------------------------------------------------------- the matrix


def test_every_classified_route_still_exists():
    assert not set(WRITES) - set(ROUTES), "WRITES classifies routes the app no longer has"


@pytest.mark.parametrize(
    "route, caller",
    [(route, caller) for route in ROUTES for caller in CALLERS],
    ids=[f"{route} as {caller.name}" for route in ROUTES for caller in CALLERS],
)
def test_a_write_answers_each_caller_as_its_access_rule_says(route, caller, attempt):
    write = WRITES.get(route)
    assert write is not None, (
        f"{route} is a new write endpoint: classify it in WRITES in {__name__} (who may call it, and how to "
        "build its resource in the caller's own scope and in another), so its access is tested."
    )
    expected = write.access.outcomes[caller.name]
    call = write.call(attempt.sides[caller.scope])
    method, template = route.split(" ", 1)
    client = attempt.clients[ROUTES[route]]
    headers = (attempt.headers[caller.identity] if caller.identity else {}) | call.headers
    before = row_counts(client.application)

    response = client.open(
        template.format(**call.path),
        method=method,
        json=call.json,
        data=call.data,
        query_string=call.query,
        headers=headers,
    )

    assert response.status_code < 500, response.get_data(as_text=True)
    if expected == ALLOWED:
        assert response.status_code not in (401, 403, 404), (
            f"{write.access.description} may do this, but got {response.status_code}: {response.json}"
        )
    else:
        assert response.status_code == expected, (
            f"only {write.access.description} may do this: expected {expected}, got "
            f"{response.status_code}: {response.get_data(as_text=True)}"
        )
        assert response.mimetype == "application/problem+json"
        assert row_counts(client.application) == before, "a refused write left rows behind"


REFUSED_BEFORE_READING = [
    (route, caller)
    for route in WRITES
    for caller in CALLERS[:2]
    if WRITES[route].access.outcomes[caller.name] in (401, 403)
]


@pytest.mark.parametrize(
    "route, caller",
    REFUSED_BEFORE_READING,
    ids=[f"{route} as {caller.name}" for route, caller in REFUSED_BEFORE_READING],
)
def test_a_caller_who_may_not_write_is_refused_before_the_body_is_read(route, caller, attempt):
    """Not logged in is 401 and the wrong role 403 whatever the body: a 422 would describe a body
    the caller may not send at all."""
    write = WRITES[route]
    call = write.call(attempt.sides[caller.scope])
    method, template = route.split(" ", 1)
    client = attempt.clients[ROUTES[route]]
    headers = (attempt.headers[caller.identity] if caller.identity else {}) | call.headers
    response = client.open(
        template.format(**call.path),
        method=method,
        json={"no_such_field": True},
        query_string=call.query,
        headers=headers,
    )
    assert response.status_code == write.access.outcomes[caller.name], response.get_data(as_text=True)
