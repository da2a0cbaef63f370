"""Workers by service type, age band, gender and stars (星级, credit's, from the ledger), from the
gender and birth year credit keeps of each worker's ID number (never the number). A worker counts
in the district of their company; one with no company under NO_DISTRICT. Ages are this year (in
Beijing) less the birth year."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, case, func, select, true

from app.clock import today_in_beijing
from app.extensions import db
from app.i18n import lazy_gettext
from credit.identifiers import FEMALE, MALE
from credit.models import Company, Worker
from credit.recommendation import service_codes
from credit.service_types import SERVICE_TYPES
from industry_statistics.charts import NO_DISTRICT, Chart, chart, district_axis

UNKNOWN = "unknown"  # a worker registered before gender and birth year were kept, not yet backfilled
GENDERS = {MALE: lazy_gettext("male"), FEMALE: lazy_gettext("female"), UNKNOWN: lazy_gettext("unknown")}
# (key, label, the age the band stops below); the last band has no end.
AGE_BANDS = (
    ("under_30", "<30", 30),
    ("30_39", "30–39", 40),
    ("40_49", "40–49", 50),
    ("50_59", "50–59", 60),
    ("60_plus", "60+", None),
)


@dataclass(frozen=True)
class WorkerFigures:
    district_code: str | None
    as_of: date  # the day in Beijing the ages are counted on
    total: int
    by_gender: Chart
    by_age_band: Chart
    by_service_type: Chart
    by_district: Chart
    by_stars: Chart


# A worker's stars, 1 to 5 (credit.ledger), or none yet (never rated or scored).
STAR_KEYS = ("1", "2", "3", "4", "5")
NO_STARS = "none"


def _age_band(year: int):
    age = year - Worker.birth_year
    *bounded, (oldest, _, _) = AGE_BANDS
    return case(
        (Worker.birth_year.is_(None), UNKNOWN),
        *((age < below, key) for key, _, below in bounded),
        else_=oldest,
    )


def worker_figures(district_code: str | None) -> WorkerFigures:
    today = today_in_beijing()
    gender = func.coalesce(Worker.gender, UNKNOWN)
    district = func.coalesce(Company.district_code, NO_DISTRICT)

    def scoped(query):
        query = query.outerjoin(Company, Company.id == Worker.company_id)
        return query.where(Company.district_code == district_code) if district_code else query

    people = scoped(
        select(_age_band(today.year).label("band"), gender.label("gender"), district.label("district")).select_from(
            Worker
        )
    ).subquery()
    counts = Counter(
        {
            (band, sex, where): count
            for band, sex, where, count in db.session.execute(
                select(people.c.band, people.c.gender, people.c.district, func.count()).group_by(
                    people.c.band, people.c.gender, people.c.district
                )
            )
        }
    )
    stars = func.coalesce(func.cast(Worker.stars, String), NO_STARS)
    starred = scoped(select(stars.label("stars")).select_from(Worker)).subquery()
    by_stars: Counter = Counter(
        dict(db.session.execute(select(starred.c.stars, func.count()).group_by(starred.c.stars)).all())
    )
    services = service_codes()
    offered = scoped(
        select(services.c.value.label("service"), gender.label("gender")).select_from(Worker).join(services, true())
    ).subquery()
    by_service = Counter(
        {
            (service, sex): count
            for service, sex, count in db.session.execute(
                select(offered.c.service, offered.c.gender, func.count()).group_by(offered.c.service, offered.c.gender)
            )
        }
    )

    bands = [*AGE_BANDS, (UNKNOWN, str(GENDERS[UNKNOWN]), None)]
    band_keys, band_labels = [key for key, _, _ in bands], [label for _, label, _ in bands]
    district_keys, district_labels = district_axis(district_code, with_none=True)
    service_keys = list(SERVICE_TYPES)
    return WorkerFigures(
        district_code=district_code,
        as_of=today,
        total=sum(counts.values()),
        by_gender=chart(
            list(GENDERS),
            [str(name) for name in GENDERS.values()],
            [("workers", lazy_gettext("workers"), _added(counts, lambda band, sex, where: sex))],
        ),
        by_age_band=chart(
            band_keys,
            band_labels,
            [
                (sex, name, _added(counts, lambda band, s, where, sex=sex: band if s == sex else None))
                for sex, name in GENDERS.items()
            ],
        ),
        by_service_type=chart(
            service_keys,
            [SERVICE_TYPES[key] for key in service_keys],
            [
                (sex, name, {service: n for (service, s), n in by_service.items() if s == sex})
                for sex, name in GENDERS.items()
            ],
        ),
        by_district=chart(
            district_keys,
            district_labels,
            [
                (sex, name, _added(counts, lambda band, s, where, sex=sex: where if s == sex else None))
                for sex, name in GENDERS.items()
            ],
        ),
        by_stars=chart(
            [*STAR_KEYS, NO_STARS],
            [*(f"{key}★" for key in STAR_KEYS), str(lazy_gettext("no stars yet"))],
            [("workers", lazy_gettext("workers"), by_stars)],
        ),
    )


def _added(counts: Counter, key_of) -> Counter:
    """The grouped counts added up under key_of(band, gender, district) (None leaves a group out)."""
    added: Counter = Counter()
    for group, count in counts.items():
        key = key_of(*group)
        if key is not None:
            added[key] += count
    return added
