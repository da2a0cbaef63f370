"""A small, clearly labelled demo set for the embedded default: two companies and three workers
whose 安心碼 scan green, yellow and red, so a newcomer can scan one at once; the green one has a
photo (drawn here, not a real person's), the others show what a scan without one says. Never in
production."""

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.clock import today_in_beijing
from app.extensions import db
from credit import certificates, ledger, photos, registry
from credit.certificates import GREEN, RED, YELLOW
from credit.identifiers import credit_code_check_character, id_number_check_character
from credit.models import Company, Worker

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
# (name, ID number, company index, colour): the ID numbers are made up, with valid check digits.
DEMO_WORKERS = [
    ("演示绿", _id_number("44010619800101901"), 0, GREEN),
    ("演示黄", _id_number("44010619850202902"), 0, YELLOW),
    ("演示红", _id_number("44010419900303903"), 1, RED),
]


def load_demo() -> list[tuple[str, str, str]]:
    """Creates the demo set unless it is there already; returns (name, colour, scan URL) per worker."""
    companies = [
        db.session.scalar(select(Company).where(Company.credit_code == c["credit_code"]))
        or registry.create_company(dict(c), actor=None)
        for c in DEMO_COMPANIES
    ]
    shown = []
    for name, id_number, company_index, colour in DEMO_WORKERS:
        worker = registry.find_worker_by_id_number(id_number) or _demo_worker(
            name, id_number, companies[company_index], colour
        )
        shown.append((worker.name, colour, certificates.scan_url(worker.certificate)))
    return shown


def _demo_worker(name: str, id_number: str, company: Company, colour: str) -> Worker:
    today = today_in_beijing()
    worker = registry.create_worker(
        {
            "name": name,
            "id_number": id_number,
            "phone": None,
            "photo_url": None,
            "company_id": company.id,
            "service_types": ["保洁", "育婴"],
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
    if colour == GREEN:
        photos.show_photo(worker, photos.normalised(demo_portrait()), actor=None)
        for stars in (5, 5, 4):
            ledger.record_credit_event(worker, "rating", stars, None, source_ref="demo", reason=DEMO_LABEL)
    elif colour == YELLOW:
        certificates.update_health_certificate(certificate, today - timedelta(days=1), actor=None)
    else:
        certificates.change_standing(certificate, "suspend", None, f"{DEMO_LABEL}严重投诉调查中")
    return worker


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
