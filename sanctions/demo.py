"""Labelled demo cases against the credit demo's workers and company (`flask credit demo` first):
one awaiting the party's statement, one stated, one upheld with a listing on the 失信名单, one
reduced and one dismissed. Opened by the command; decided by the development operator. Never in
production; loading it twice changes nothing."""

from sqlalchemy import select

from accounts.models import OPERATOR
from accounts.services import development_user
from app.extensions import db
from credit.demo import DEMO_COMPANIES, DEMO_LABEL, DEMO_WORKERS
from credit.models import Company
from credit.registry import find_worker_by_id_number
from sanctions import cases
from sanctions.models import SanctionCase

# (party: worker name or company index, category, measure, days, statement, decision)
DEMO_CASES: list[tuple[str | int, str, str, int | None, str | None, dict | None]] = [
    ("演示黄", "serious_complaint", "suspension", 30, None, None),
    ("演示保险过期", "platform_fraud", "warning", None, "已整改，请求从轻处理。", None),
    ("演示核查中", "forged_certificate", "listing", 365, "证书系中介代办，本人不知情。", {"outcome": "uphold"}),
    (1, "serious_complaint", "registrations_stopped", 90, "已赔偿客户损失。", {"outcome": "reduce"}),
    ("演示红", "court_record", "warning", None, "记录与本人无关，系同名。", {"outcome": "dismiss"}),
]


def load_demo() -> int:
    """The demo cases, unless they are there; how many were made."""
    if db.session.scalar(select(SanctionCase.id).where(SanctionCase.facts.startswith(DEMO_LABEL)).limit(1)):
        return 0
    id_numbers = {name: id_number for name, id_number, *_ in DEMO_WORKERS}
    operator = development_user(OPERATOR)
    for party, category, measure, days, statement, decision in DEMO_CASES:
        data = {"category": category, "facts": f"{DEMO_LABEL}经核查的事实", "measure": measure, "period_days": days}
        if isinstance(party, int):
            company = db.session.scalar(
                select(Company).where(Company.credit_code == DEMO_COMPANIES[party]["credit_code"])
            )
            if company is None:
                raise LookupError("the credit demo is not loaded (flask credit demo)")
            data["company_id"] = company.id
        else:
            worker = find_worker_by_id_number(id_numbers[str(party)])
            if worker is None:
                raise LookupError("the credit demo is not loaded (flask credit demo)")
            data["worker_id"] = worker.id
        case = cases.open_case(data, None)
        if statement is not None:
            cases.state_case(case, None, f"{DEMO_LABEL}{statement}", None)
        if decision is not None:
            lighter = {"measure": "grade_capped", "period_days": None} if decision["outcome"] == "reduce" else {}
            cases.decide(case, decision | lighter | {"reason": f"{DEMO_LABEL}经复核决定"}, operator)
    return len(DEMO_CASES)
