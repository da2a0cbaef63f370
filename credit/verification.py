"""The one adapter to the external verification service that answers the no-criminal-record
check, the liability insurance and the real-name check (实名认证) of a worker.

Its address and key come from the settings (VERIFICATION_API_BASE_URL, VERIFICATION_API_KEY,
VERIFICATION_TIMEOUT_SECONDS). Unset, every request is a 503 `verification_not_configured`; a
service that does not answer within the timeout, cannot be reached, or answers anything but the
shape below is a 503 (`verification_unavailable`, `verification_failed`). The caller writes only
after an answer arrived, so a 503 leaves nothing behind. A negative answer (a record found, no
policy, a mismatch) is an answer, and is recorded as such.

The HTTP API it calls (JSON both ways):

    POST {base}checks/criminal-record     the 无犯罪记录 check
    POST {base}checks/insurance           the worker's 从业责任保险 policy
    POST {base}checks/identity            实名认证: the name belongs to the ID number
    Authorization: Bearer {VERIFICATION_API_KEY}
    {"name": "张秀梅", "id_number": "440106198506120012", "request_id": "<uuid, for the service's log>"}

    200 {"result": "...", "reference": "GA-2026-000123", "checked_on": "2026-12-01",
         "valid_from": "2026-12-01" | null, "valid_until": "2027-11-30" | null}

`result` is clear / record_found / pending (criminal record), in_force / not_insured / pending
(insurance: valid_from and valid_until are the policy's, both required when in force), or
verified / mismatch / pending (identity). `reference` is the service's certificate or policy
number; `checked_on` defaults to today in Beijing.
"""

import logging
import uuid
from typing import ClassVar

import marshmallow as ma
import requests
from flask import current_app
from marshmallow import fields, validate

from app.clock import today_in_beijing
from app.errors import Unavailable
from app.i18n import _
from credit.models import CHECK_RESULTS, CRIMINAL_RECORD, IDENTITY, INSURANCE, SERVICE

log = logging.getLogger(__name__)

PATHS = {CRIMINAL_RECORD: "checks/criminal-record", INSURANCE: "checks/insurance", IDENTITY: "checks/identity"}


class ServiceAnswerSchema(ma.Schema):
    """What the service answers about one kind of check (ANSWERS); anything else is the service failing."""

    kind: ClassVar[str]

    class Meta:
        unknown = ma.EXCLUDE

    result = fields.String(required=True)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    checked_on = fields.Date(load_default=None, allow_none=True)
    valid_from = fields.Date(load_default=None, allow_none=True)
    valid_until = fields.Date(load_default=None, allow_none=True)

    @ma.validates_schema
    def fits_the_kind(self, answer, **_kwargs):
        kind = self.kind
        if answer["result"] not in CHECK_RESULTS[kind]:
            raise ma.ValidationError(_("not a result of a %(kind)s check", kind=kind), "result")
        dated = answer["valid_from"] and answer["valid_until"]
        if kind == INSURANCE and answer["result"] == "in_force" and not dated:
            raise ma.ValidationError(_("a policy in force needs its dates"), "valid_until")
        if answer["valid_from"] and answer["valid_until"] and answer["valid_until"] < answer["valid_from"]:
            raise ma.ValidationError(_("ends before it starts"), "valid_until")


ANSWERS = {
    kind: type(f"{kind.title().replace('_', '')}AnswerSchema", (ServiceAnswerSchema,), {"kind": kind}) for kind in PATHS
}


def ask(kind: str, name: str, id_number: str) -> dict:
    """The service's answer about this person, as the fact to record (credit.checks.record_check)."""
    config = current_app.config
    base_url, key = config["VERIFICATION_API_BASE_URL"], config["VERIFICATION_API_KEY"]
    if not base_url or not key:
        raise Unavailable(
            _("The verification service is not configured on this server."),
            code="verification_not_configured",
            retry_after=None,
        )
    timeout = config["VERIFICATION_TIMEOUT_SECONDS"]
    try:
        response = requests.post(
            base_url.rstrip("/") + "/" + PATHS[kind],
            json={"name": name, "id_number": id_number, "request_id": uuid.uuid4().hex},
            headers={"Authorization": f"Bearer {key}"},
            timeout=(timeout, timeout),
        )
    except requests.RequestException as failure:
        log.warning("verification service unreachable for a %s check: %s", kind, type(failure).__name__)
        raise Unavailable(
            _("The verification service did not answer; nothing was recorded. Try again later."),
            code="verification_unavailable",
        ) from None
    try:
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        answer = ANSWERS[kind]().load(response.json())
    except (ValueError, ma.ValidationError) as failure:  # requests' JSONDecodeError is a ValueError
        log.warning("verification service failed a %s check: %s", kind, failure)
        raise Unavailable(
            _("The verification service failed to answer; nothing was recorded. Try again later."),
            code="verification_failed",
        ) from None
    return {
        "kind": kind,
        "source": SERVICE,
        "reference": answer["reference"],
        "checked_on": answer["checked_on"] or today_in_beijing(),
        "valid_from": answer["valid_from"],
        "valid_until": answer["valid_until"],
        "result": answer["result"],
    }
