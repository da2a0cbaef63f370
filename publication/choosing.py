"""Choosing a worker (issue 16): the certified workers a resident may pick as the preferred worker
of a booking, at a station or of a company, for one service; best first, paged.

Workers are not bound to stations: a station assigns any green worker who offers the service
(booking.assignment), so a station's list is the workers it could assign for a service it offers.
Only workers whose 信用信息授权书 is signed are listed, as only they have a public profile (the
scan's rule), and only the recommendable (credit.recommendation)."""

from flask import current_app
from sqlalchemy import String, select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from app.clock import today_in_beijing
from app.errors import Invalid, NotFound
from app.extensions import db
from app.i18n import _
from app.paging import Page, paginate
from booking.models import StationOffer
from credit.models import Certificate, Company, Worker
from credit.recommendation import WORKERS_BEST_FIRST, recommendable_workers
from stations.models import Station

# What the list reads of a worker: never the encrypted ID number or phone.
LISTED_COLUMNS = (
    Worker.name,
    Worker.photo_url,
    Worker.photo_key,
    Worker.stars,
    Worker.service_types,
    Worker.years_of_experience,
    Worker.rating_count,
    Worker.rating_mean,
    Worker.company_id,
)


def choosable(service_code: str):
    """The workers a resident may choose for `service_code`: recommendable, publicly profiled and
    offering the service. The service is matched by the database, in the JSON text of the
    worker's service codes, quoted (codes are plain words: no code is another's quoted part)."""
    return (
        recommendable_workers(select(Worker), today_in_beijing())
        .where(
            Certificate.authorisation_signed_on.is_not(None),
            Worker.service_types.cast(String).contains(f'"{service_code}"', autoescape=True),
        )
        .options(
            load_only(*LISTED_COLUMNS),
            contains_eager(Worker.certificate).load_only(Certificate.id),
            joinedload(Worker.company).load_only(Company.name, Company.grade),
        )
    )


def _check_station_offers(station_code: str, service_code: str) -> None:
    if db.session.get(Station, station_code) is None:
        raise Invalid(_("No station has code %(code)s.", code=station_code), code="unknown_station", field="station")
    offered = db.session.scalar(
        select(StationOffer.id).where(
            StationOffer.station_code == station_code,
            StationOffer.service_code == service_code,
            StationOffer.active.is_(True),
        )
    )
    if offered is None:
        raise Invalid(
            _("Station %(code)s does not offer %(service)s.", code=station_code, service=service_code),
            code="not_offered",
            field="service",
        )


def list_workers(query: dict) -> Page:
    """One page of the workers to choose from, best first (credit.recommendation)."""
    statement = choosable(query["service"])
    if "station" in query:
        _check_station_offers(query["station"], query["service"])
    else:
        if db.session.get(Company, query["company_id"]) is None:
            raise Invalid(_("Unknown company."), code="unknown_company", field="company_id")
        statement = statement.where(Worker.company_id == query["company_id"])
    return paginate(statement.order_by(*WORKERS_BEST_FIRST), query["page"], query["per_page"])


def listed_photo_key(worker_id: int) -> str:
    """The uploaded photo of a worker the list may show (any service): a 404 for anyone else, or
    a listed worker without an uploaded photo."""
    key = db.session.scalar(
        recommendable_workers(select(Worker.photo_key), today_in_beijing()).where(
            Worker.id == worker_id, Certificate.authorisation_signed_on.is_not(None)
        )
    )
    if key is None:
        raise NotFound(_("No photo of a worker residents may choose."), code="no_photo")
    return key


def photo_url(worker: Worker) -> str | None:
    """The uploaded photo through the list's own address (never the 安心码's, whose token would let
    anyone print the worker's code), else a photo kept elsewhere as typed, else none."""
    if worker.photo_key is None:
        return worker.photo_url
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/api/v1/choosable-workers/{worker.id}/photo.jpg"
