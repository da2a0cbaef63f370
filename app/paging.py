"""One way to page a list: a query in, a Page out, and one shape for every paged answer
(`items`, `total`, `page`, `per_page`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from sqlalchemy import Select, func, select

from app.extensions import db
from app.fields import PageNumber

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int


def paginate(query: Select, page: int, per_page: int) -> Page:
    """The page's rows (ORM objects when the query selects one entity) and the count of all rows.
    The count drops the ordering: the database need not sort what it only counts."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def paginate_by_key(
    query: Select, order: Sequence[Any], key: Any, page: int, per_page: int, *, load: Sequence = ()
) -> Page:
    """`paginate` for a long list of one entity: `query` filters it, `order` sorts it (ending with
    `key`, its primary key), `load` the eager loads of what each row shows. The page's keys are
    picked first by a query of the key alone (which an index holding the filter and the order
    answers without reading a row: a deep page costs the index entries before it, not the rows),
    then only those rows are read, with what they show joined to them, never to the whole list."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    keys = (
        query.with_only_columns(key, maintain_column_froms=True)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = select(query.column_descriptions[0]["entity"]).where(key.in_(keys)).order_by(*order).options(*load)
    return Page(items=list(db.session.scalars(rows)), total=total, page=page, per_page=per_page)


class PageQuery(ma.Schema):
    """The paging part of a list's query string; a list's own query schema extends it."""

    page = PageNumber()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_schema(item_schema: type[ma.Schema] | ma.Schema, name: str) -> type[ma.Schema]:
    """The paged answer of a list of `item_schema`, serialising a Page."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


class OperatorPageQuery(PageQuery):
    """The paging of the lists operators read in one go (invites, role grants, role events,
    subscribe messages): they answered all their rows, or the first `limit` (default 100), before
    they were paged, so a page holds 100 rows by default and up to 1000, and `limit` is still
    taken, as per_page."""

    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    limit = fields.Integer(validate=validate.Range(min=1, max=1000), metadata={"description": "Deprecated: per_page"})

    @ma.post_load
    def limit_is_per_page(self, data: dict, **_kwargs) -> dict:
        if "limit" in data:
            data["per_page"] = data.pop("limit")
        return data
