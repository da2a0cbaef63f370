"""Builds users with roles and session tokens the way the app would, for tests to act as them."""

import itertools
from datetime import date

from accounts.models import User
from accounts.services import grant_role, start_session
from app.extensions import db
from app.privacy import blind_index
from credit import certificates, registry
from credit.models import Worker
from tests.credit.conftest import DOCUMENTS, new_id_number

_openids = itertools.count(1)


def make_user(role: str | None = None, *, station_code: str | None = None, company_id: int | None = None,
              phone: str | None = None) -> User:
    user = User(openid=f"test-openid-{next(_openids)}", phone=phone, phone_hash=phone and blind_index(phone))
    db.session.add(user)
    db.session.flush()
    if role:
        grant_role(user, role, station_code=station_code, company_id=company_id)
    db.session.commit()
    return user


def bearer(user: User) -> dict:
    token = start_session(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def make_issued_worker(name: str, service_types: list[str] | None = None) -> Worker:
    """A worker taken through every certificate step by the credit services (no request, no
    commit), for tests that commit for real from several threads."""
    worker = registry.create_worker({"name": name, "id_number": new_id_number(), "service_types": service_types or []},
                                    None)
    certificate = worker.certificate
    certificates.check_documents(certificate, {**DOCUMENTS, "health_certificate_valid_until": date(2099, 1, 1),
                                         "authorisation_signed_on": date(2020, 1, 1)}, None)
    certificates.record_training(certificate, 40, date(2020, 1, 2), None)
    certificates.record_exam(certificate, 90, True, None)
    certificates.verify_identity(certificate, True, None)
    certificates.issue(certificate, None)
    return worker
