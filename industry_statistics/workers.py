"""Workers by service type, age band, gender and stars (星级, credit's, from the ledger), from the
gender and birth year credit keeps of each worker's ID number (never the number). A worker counts
in the district of their company; one with no company under NO_DISTRICT. Ages are this year (in
Beijing) less the birth year. Every figure is read from the counts the database keeps in the
transaction of each write of a worker or a company (industry_statistics.models.WorkerCounts), so
it is exact at once and costs the same for a hundred thousand workers as for a thousand."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, delete, func, insert, select, text, true

from app.clock import today_in_beijing
from app.extensions import db
from app.i18n import lazy_gettext
from app.paging import written
from credit.identifiers import FEMALE, MALE
from credit.models import Company, Worker
from credit.recommendation import service_codes
from credit.service_types import SERVICE_TYPES
from industry_statistics.charts import NO_DISTRICT, Chart, chart, district_axis
from industry_statistics.models import NOT_KNOWN, WorkerCounts, WorkerServiceCounts

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
    """The band of each row's birth year, its bounds and keys written into the statement (one text
    a year): bound, its twelve parameters had PostgreSQL plan the grouping anew on most requests at
    scale 1 (a generic plan cannot know which of them the rows group by)."""
    age = written(year) - WorkerCounts.birth_year
    *bounded, (oldest, _, _) = AGE_BANDS
    return case(
        (WorkerCounts.birth_year == written(NOT_KNOWN), written(UNKNOWN)),
        *((age < written(below), written(key)) for key, _, below in bounded),
        else_=written(oldest),
    )


def worker_figures(district_code: str | None) -> WorkerFigures:
    """Read from the counts the database keeps as workers are written (WorkerCounts), a few
    thousand rows whether the city has a thousand workers or a hundred thousand."""
    today = today_in_beijing()

    def scoped(query, table):
        return query.where(table.district == district_code) if district_code else query

    age_band, counted = _age_band(today.year).label("band"), func.sum(WorkerCounts.workers)
    counts = Counter(
        {
            (band, sex, where): count
            for band, sex, where, count in db.session.execute(
                scoped(select(age_band, WorkerCounts.gender, WorkerCounts.district, counted), WorkerCounts).group_by(
                    age_band, WorkerCounts.gender, WorkerCounts.district
                )
            )
        }
    )
    by_stars: Counter = Counter(
        {
            str(stars) if stars != NOT_KNOWN else NO_STARS: count
            for stars, count in db.session.execute(
                scoped(select(WorkerCounts.stars, counted), WorkerCounts).group_by(WorkerCounts.stars)
            )
        }
    )
    offered = WorkerServiceCounts
    by_service = Counter(
        {
            (service, sex): count
            for service, sex, count in db.session.execute(
                scoped(select(offered.service, offered.gender, func.sum(offered.workers)), offered).group_by(
                    offered.service, offered.gender
                )
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


def count_workers() -> int:
    """The worker counts counted again from the rows, for after a load that bypassed the triggers
    that keep them (bench/scale.py loads with them off); the workers counted. Writers of workers
    wait meanwhile on PostgreSQL (SQLite has one writer anyway), so none is lost or counted twice.
    The caller commits."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE workers, companies IN SHARE MODE"))
    db.session.execute(delete(WorkerCounts))
    db.session.execute(delete(WorkerServiceCounts))
    district = func.coalesce(Company.district_code, NO_DISTRICT)
    gender = func.coalesce(Worker.gender, UNKNOWN)

    def grouped(*columns):
        query = select(*columns, func.count()).select_from(Worker).outerjoin(Company, Company.id == Worker.company_id)
        return query.group_by(*columns)

    birth_year, stars = func.coalesce(Worker.birth_year, NOT_KNOWN), func.coalesce(Worker.stars, NOT_KNOWN)
    counted = insert(WorkerCounts).from_select(
        ["district", "gender", "birth_year", "stars", "workers"], grouped(district, gender, birth_year, stars)
    )
    db.session.execute(counted)
    codes = service_codes()
    db.session.execute(
        insert(WorkerServiceCounts).from_select(
            ["district", "gender", "service", "workers"], grouped(district, gender, codes.c.value).join(codes, true())
        )
    )
    return db.session.execute(select(func.coalesce(func.sum(WorkerCounts.workers), 0))).scalar_one()
