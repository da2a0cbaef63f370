"""What in a worker's file ends soon: the health certificate, the background check (its re-check
date) and the liability insurance, within N days of today in Beijing, for the company admin's
list, the operators' list and the reminders (wechat.expiry_reminders queues them). Callers
commit; these functions only flush."""

from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.paging import Page
from credit.models import REVOKED, Certificate, ExpiryReminder, Worker

HEALTH_CERTIFICATE, CRIMINAL_RECORD, INSURANCE = "health_certificate", "criminal_record", "insurance"
ITEMS = (HEALTH_CERTIFICATE, CRIMINAL_RECORD, INSURANCE)
ITEM_NAMES = {HEALTH_CERTIFICATE: "健康证", CRIMINAL_RECORD: "无犯罪记录核查", INSURANCE: "从业责任保险"}
# Each item's last valid day, and what makes it count at all (a pending check ends nothing).
ENDS = {
    HEALTH_CERTIFICATE: (Certificate.health_certificate_valid_until, None),
    CRIMINAL_RECORD: (Certificate.criminal_record_valid_until, Certificate.criminal_record_result == "clear"),
    INSURANCE: (Certificate.insurance_valid_until, Certificate.insurance_result == "in_force"),
}


def expiring_query(today: date, within_days: int, company_id: int | None = None, item: str | None = None) -> Select:
    """One row per item ending between today and `within_days` from now (both included), soonest
    first: worker_id, worker_name, company_id, item, valid_until. A revoked worker's file is done."""
    last_day = today + timedelta(days=within_days)
    parts = []
    for name in (item,) if item else ITEMS:
        ends, counts = ENDS[name]
        part = select(Certificate.worker_id, literal(name).label("item"), ends.label("valid_until")).where(
            ends >= today, ends <= last_day, Certificate.state != REVOKED
        )
        parts.append(part.where(counts) if counts is not None else part)
    due = union_all(*parts).subquery()
    query = select(
        due.c.worker_id, Worker.name.label("worker_name"), Worker.company_id, due.c.item, due.c.valid_until
    ).join(Worker, Worker.id == due.c.worker_id)
    if company_id is not None:
        query = query.where(Worker.company_id == company_id)
    return query.order_by(due.c.valid_until, due.c.worker_id, due.c.item)


def list_expiring(
    today: date, within_days: int, company_id: int | None, item: str | None, page: int, per_page: int
) -> Page:
    query = expiring_query(today, within_days, company_id, item)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items=[_item(row, today) for row in rows], total=total, page=page, per_page=per_page)


def _item(row, today: date) -> dict:
    return {
        "worker_id": row.worker_id,
        "worker_name": row.worker_name,
        "company_id": row.company_id,
        "item": row.item,
        "item_name": ITEM_NAMES[row.item],
        "valid_until": row.valid_until,
        "days_left": (row.valid_until - today).days,
    }


def claim_due_reminders(today: date, within_days: int) -> list[dict]:
    """The items ending within `within_days` whose reminder has not been queued, each claimed by
    one ExpiryReminder row (unique per worker, item and end date): however often the command runs,
    each item ending on a given day is reminded once; a renewed one, ending later, is reminded
    again when its time comes."""
    query = expiring_query(today, within_days)
    due = query.subquery()
    already = exists().where(
        and_(
            ExpiryReminder.worker_id == due.c.worker_id,
            ExpiryReminder.item == due.c.item,
            ExpiryReminder.valid_until == due.c.valid_until,
        )
    )
    rows = db.session.execute(select(due).where(~already).order_by(due.c.valid_until, due.c.worker_id)).all()
    claimed = []
    for row in rows:
        try:
            with db.session.begin_nested():  # a run at the same moment claimed it first
                db.session.add(
                    ExpiryReminder(worker_id=row.worker_id, item=row.item, valid_until=row.valid_until, queued_on=today)
                )
        except IntegrityError:
            continue
        claimed.append(_item(row, today))
    return claimed
