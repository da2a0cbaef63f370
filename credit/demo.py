"""A small, clearly labelled demo set for the embedded default: two companies and five workers
whose 安心碼 scan green, yellow (health certificate expired; insurance lapsed; background check
pending) and red, so a newcomer can scan one at once; the green one has a photo (drawn here, not a
real person's), the others show what a scan without one says. Never in production."""

import io
from datetime import date, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.clock import today_in_beijing
from app.extensions import db
from credit import certificates, checks, ledger, photos, registry
from credit.certificates import GREEN, RED, YELLOW
from credit.identifiers import credit_code_check_character, id_number_check_character
from credit.models import CRIMINAL_RECORD, INSURANCE, PAPER, Certificate, Company, Worker

DEMO_LABEL = "【演示】"


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def _id_number(first17: str) -> str:
    return first17 + id_number_check_character(first17)


DEMO_COMPANIES = [
    {
        "name": f"{DEMO_LABEL}羊城安心家政服务有限公司",
        "credit_code": _credit_code("91440106MA9DEMA01"),
        "district_code": "440106",
        "contact_name": "演示联系人",
        "contact_phone": "020-00000000",
        "contact_phone_public": True,
    },
    {
        "name": f"{DEMO_LABEL}珠江巧手家政有限公司",
        "credit_code": _credit_code("91440104MA9DEMA02"),
        "district_code": "440104",
        "contact_name": "演示联系人",
        "contact_phone": "020-00000001",
        "contact_phone_public": True,
    },
]
# What sets a demo worker apart from a green one.
GREEN_AS_IS, HEALTH_EXPIRED, INSURANCE_LAPSED, CHECK_PENDING, SUSPENDED = (
    "green",
    "health_certificate_expired",
    "insurance_expired",
    "criminal_record_pending",
    "suspended",
)
# (name, ID number, company index, colour, what is wrong): the ID numbers are made up, with valid
# check digits.
DEMO_WORKERS = [
    ("演示绿", _id_number("44010619800101901"), 0, GREEN, GREEN_AS_IS),
    ("演示黄", _id_number("44010619850202902"), 0, YELLOW, HEALTH_EXPIRED),
    ("演示红", _id_number("44010419900303903"), 1, RED, SUSPENDED),
    ("演示保险过期", _id_number("44010619870404904"), 0, YELLOW, INSURANCE_LAPSED),
    ("演示核查中", _id_number("44010419920505905"), 1, YELLOW, CHECK_PENDING),
]


def load_demo() -> list[tuple[str, str, str]]:
    """Creates the demo set unless it is there already; returns (name, colour, scan URL) per worker."""
    companies = [
        db.session.scalar(select(Company).where(Company.credit_code == c["credit_code"]))
        or registry.create_company(dict(c), actor=None)
        for c in DEMO_COMPANIES
    ]
    shown = []
    for name, id_number, company_index, colour, variant in DEMO_WORKERS:
        worker = registry.find_worker_by_id_number(id_number) or _demo_worker(
            name, id_number, companies[company_index], variant
        )
        shown.append((worker.name, colour, certificates.scan_url(worker.certificate)))
    return shown


def green_demo_worker(name: str, id_number: str, company: Company, service_types: list[str]) -> Worker:
    """A green demo worker offering `service_types` (other features' demos need their own), or the
    one with this ID number already there."""
    return registry.find_worker_by_id_number(id_number) or _demo_worker(
        name, id_number, company, GREEN_AS_IS, service_types
    )


def _demo_worker(
    name: str, id_number: str, company: Company, variant: str, service_types: list[str] | None = None
) -> Worker:
    today = today_in_beijing()
    worker = registry.create_worker(
        {
            "name": name,
            "id_number": id_number,
            "phone": None,
            "photo_url": None,
            "company_id": company.id,
            "service_types": service_types or ["cleaning", "childcare"],
            "skills": ["收纳整理"],
            "years_of_experience": 4,
        },
        actor=None,
    )
    certificate = worker.certificate
    certificates.check_documents(
        certificate,
        {
            "id_card_checked": True,
            "health_certificate_valid_until": today + timedelta(days=365),
            "skill_certificate": f"{DEMO_LABEL}育婴员 四级",
            "authorisation_signed_on": today - timedelta(days=30),
        },
        actor=None,
    )
    certificates.record_training(certificate, 40, today - timedelta(days=20), actor=None)
    certificates.record_exam(certificate, 88, True, actor=None)
    certificates.verify_identity(certificate, True, actor=None)
    certificates.issue(certificate, actor=None)
    _demo_checks(certificate, variant, today)
    if variant == GREEN_AS_IS:
        photos.show_photo(worker, photos.normalised(demo_portrait()), actor=None)
        for stars in (5, 5, 4):
            ledger.record_credit_event(worker, "rating", stars, None, source_ref="demo", reason=DEMO_LABEL)
    elif variant == HEALTH_EXPIRED:
        certificates.update_health_certificate(certificate, today - timedelta(days=1), actor=None)
    elif variant == SUSPENDED:
        certificates.change_standing(certificate, "suspend", None, f"{DEMO_LABEL}严重投诉调查中")
    return worker


def _demo_checks(certificate: Certificate, variant: str, today: date) -> None:
    """A background check (clear, or pending) and a policy (in force, or ended yesterday), as an
    operator records them from paper."""
    checks.record_check(
        certificate,
        {
            "kind": CRIMINAL_RECORD,
            "source": PAPER,
            "reference": f"{DEMO_LABEL}无犯罪记录证明",
            "checked_on": today - timedelta(days=60),
            "result": "pending" if variant == CHECK_PENDING else "clear",
        },
        actor=None,
    )
    insured_from = today - timedelta(days=400 if variant == INSURANCE_LAPSED else 30)
    checks.record_check(
        certificate,
        {
            "kind": INSURANCE,
            "source": PAPER,
            "reference": f"{DEMO_LABEL}从业责任保险",
            "checked_on": insured_from,
            "valid_from": insured_from,
            "valid_until": today - timedelta(days=1) if variant == INSURANCE_LAPSED else today + timedelta(days=335),
            "result": "in_force",
        },
        actor=None,
    )


def demo_portrait() -> bytes:
    """A drawn stand-in for a face photo (head and shoulders, marked DEMO), as a PNG."""
    image = Image.new("RGB", (480, 600), (214, 230, 242))
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 380, 420, 760), fill=(70, 110, 160))  # shoulders
    draw.ellipse((150, 110, 330, 330), fill=(240, 205, 175))  # head
    draw.rectangle((0, 550, 480, 600), fill=(198, 40, 40))
    draw.text((205, 565), "DEMO", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
