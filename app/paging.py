"""One way to page a list: a query in, a Page out, and one shape for every paged answer
(`items`, `total`, `page`, `per_page`). A long list may count its rows only up to LIST_COUNT_CAP
(`capped=True`): its total is then a lower bound, which a page says as "more than 10,000"."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate
from sqlalchemy import Select, func, select

from app.extensions import db
from app.fields import PageNumber

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    """A page of rows and the count of all of them; when that count stopped at the cap
    (`total_is_lower_bound`), there are more than `total` rows and `more` says whether any follow
    this page."""

    items: list[Any]
    total: int
    page: int
    per_page: int
    total_is_lower_bound: bool = False
    more: bool | None = None

    @property
    def has_next(self) -> bool:
        if self.more is not None:
            return self.more
        return self.page * self.per_page < self.total

    @property
    def pages(self) -> int | None:
        """How many pages the list has, when its count is exact."""
        if self.total_is_lower_bound:
            return None
        return (self.total + self.per_page - 1) // self.per_page or 1


def paginate(query: Select, page: int, per_page: int) -> Page:
    """The page's rows (ORM objects when the query selects one entity) and the count of all rows.
    The count drops the ordering: the database need not sort what it only counts."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def paginate_by_key(
    query: Select,
    order: Sequence[Any],
    key: Any,
    page: int,
    per_page: int,
    *,
    load: Sequence = (),
    capped: bool = False,
) -> Page:
    """`paginate` for a long list of one entity: `query` filters it, `order` sorts it (ending with
    `key`, its primary key), `load` the eager loads of what each row shows. The page's keys are
    picked first by a query of the key alone (which an index holding the filter and the order
    answers without reading a row: a deep page costs the index entries before it, not the rows),
    then only those rows are read, with what they show joined to them, never to the whole list.

    `capped`: the rows are counted up to LIST_COUNT_CAP only, as a person reading the list needs
    no more ("more than 10,000"), and a count of every row grows with the city (100,000 workers
    joined to their certificates, 50 ms). When the count stopped there, the page asks for one key
    more than it shows, to know whether another page follows."""
    keys_only = query.with_only_columns(key, maintain_column_froms=True)
    cap = current_app.config["LIST_COUNT_CAP"] if capped else None
    total = capped_count(keys_only, cap)
    stopped_at = cap if cap is not None and total > cap else None
    probe = per_page + 1 if stopped_at is not None else per_page  # one key more: does a page follow?
    keys = keys_only.order_by(*order).offset((page - 1) * per_page).limit(probe)
    rows = select(query.column_descriptions[0]["entity"]).where(key.in_(keys)).order_by(*order).options(*load)
    items = list(db.session.scalars(rows))
    if stopped_at is None:
        return Page(items=items, total=total, page=page, per_page=per_page)
    return Page(
        items=items[:per_page],
        total=stopped_at,
        page=page,
        per_page=per_page,
        total_is_lower_bound=True,
        more=len(items) > per_page,
    )


def capped_count(query: Select, cap: int | None) -> int:
    """The rows of `query`, counted exactly up to `cap` and no further: `cap + 1` when there are
    more (the database stops reading there), every row when `cap` is None."""
    counted = query.order_by(None)
    if cap is not None:
        counted = counted.limit(cap + 1)
    return db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0


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
