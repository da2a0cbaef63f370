"""A published list as a file: CSV for spreadsheets (UTF-8 with a byte-order mark, which Excel
needs to read Chinese as Chinese), its columns always in this order."""

import csv
import io
from urllib.parse import quote

from sqlalchemy import select

from app.extensions import db
from app.geography import DISTRICTS
from publication.models import Publication, PublicationEntry

CSV_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "信用等级", "信用分", "所在区")
BOM = "\ufeff"


def entries_of(publication: Publication) -> list[PublicationEntry]:
    """Every row of the list, in its order (for the file and the printable page)."""
    return list(
        db.session.scalars(
            select(PublicationEntry)
            .where(PublicationEntry.publication_id == publication.id)
            .order_by(PublicationEntry.position)
        )
    )


def _cell(text: str) -> str:
    """A name typed by a person, never run as a spreadsheet formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def entries_csv(publication: Publication) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries_of(publication):
        writer.writerow(
            (
                entry.position,
                _cell(entry.company_name),
                entry.credit_code,
                entry.grade or "",
                _score(entry.credit_score),
                DISTRICTS.get(entry.district_code, entry.district_code),
            )
        )
    return out.getvalue().encode("utf-8")


def content_disposition(publication: Publication) -> str:
    """An ASCII name for any client, and the list's own number and title for those that read
    RFC 6266's filename*."""
    readable = quote(f"{publication.number}{publication.title}.csv")
    return f"attachment; filename=\"publication-{publication.id}.csv\"; filename*=UTF-8''{readable}"
