"""One way to page a list: a query in, a Page out, and one shape for every paged answer
(`items`, `total`, `page`, `per_page`). A long list may count its rows only up to LIST_COUNT_CAP
(`capped=True`): its total is then a lower bound, which a page says as "more than 1,000".

A list that can be long at Guangzhou's size pages by cursor (`paginate_by_cursor`): a page is
found from the sort key of the row before it, an index range read whatever the depth, where an
OFFSET walks every index entry before the page. Its cursors are opaque strings (`v1.<base64>`,
encode_cursor), the same kind the public-credit feed gives out."""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from app.errors import Invalid
from app.extensions import db
from app.fields import PageNumber
from app.i18n import _
from app.sql_functions import one_of

MAX_PER_PAGE = 200
CURSOR_PREFIX = "v1."
MAX_CURSOR_LENGTH = 200


@dataclass(frozen=True)
class Page:
    """A page of rows and the count of all of them; when that count stopped at the cap
    (`total_is_lower_bound`), there are more than `total` rows and `more` says whether any follow
    this page. A page of a list paged by cursor (`by_cursor`) has no number when a cursor found it
    (`page` None) and carries the cursors of the pages beside it (None: there is none)."""

    items: list[Any]
    total: int
    page: int | None
    per_page: int
    total_is_lower_bound: bool = False
    more: bool | None = None
    by_cursor: bool = False
    next: str | None = None
    previous: str | None = None

    @property
    def has_next(self) -> bool:
        if self.more is not None:
            return self.more
        return (self.page or 1) * self.per_page < self.total

    @property
    def pages(self) -> int | None:
        """How many pages the list has, when its count is exact."""
        if self.total_is_lower_bound:
            return None
        return (self.total + self.per_page - 1) // self.per_page or 1


def encode_cursor(values: list, prefix: str = CURSOR_PREFIX) -> str:
    """An opaque cursor of JSON values: `prefix` (the version of what reads it) and base64."""
    text = json.dumps(values, separators=(",", ":"))
    return prefix + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(value: str, prefix: str = CURSOR_PREFIX) -> list:
    """The values encode_cursor() put in; ValueError for anything it did not make."""
    if not value.startswith(prefix) or len(value) > MAX_CURSOR_LENGTH:
        raise ValueError("not a cursor of this version")
    body = value[len(prefix) :]
    try:
        values = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
        raise ValueError("not a cursor") from error
    if not isinstance(values, list):
        raise ValueError("not a cursor")
    return values


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
    no more ("more than 1,000"), and a count of every row grows with the city (100,000 workers
    joined to their certificates, 50 ms). When the count stopped there, the page asks for one key
    more than it shows, to know whether another page follows."""
    keys_only = query.with_only_columns(key, maintain_column_froms=True)
    total, stopped_at = _count(keys_only, capped)
    probe = per_page + 1 if stopped_at is not None else per_page  # one key more: does a page follow?
    # Written (see written()): with a bound LIMIT the plan made for any value reckons on a tenth
    # of the range, and PostgreSQL planned the page's joins anew on every call at scale 1.
    keys = keys_only.order_by(*order).offset(written((page - 1) * per_page)).limit(written(probe))
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


def paginate_by_cursor(
    query: Select,
    order: Sequence[Any],
    sort: str,
    key: Any,
    cursor: str | None,
    per_page: int,
    *,
    page: int = 1,
    load: Sequence = (),
    capped: bool = False,
    total: int | None = None,
    key_equals: Sequence[Any] = (),
    keys_first: bool = False,
) -> Page:
    """`paginate_by_key` found by cursor: the page after (or before) the row a cursor names, read
    as a range of the index on `order` (the columns of `query`'s entity, ending with `key`, its
    primary key) from that row's sort key, so that a deep page costs what the first one does.
    `sort` names the order in the cursor: a cursor of another order is refused (422
    invalid_cursor, naming `cursor`) rather than read as a wrong position. Without a cursor, the
    `page`-th page by OFFSET (a shallow one: the query schema bounds it by LIST_COUNT_CAP). The
    page's `next` and `previous` are the cursors after its last row and before its first.


    `key_equals`: columns of a table `query` joins that equal `key` (certificates.worker_id): in
    the order by key alone they are bounded by the cursor too, as PostgreSQL carries no range
    across a join and would otherwise read the joined index from its start. `keys_first`: the
    page's keys are read in a statement of their own, for rows whose eager loads would have the
    planner join them all before it keeps the page's (the 失信名单's case, parties, certificate).
    `total`: the list's exact count, when the caller reads it from counts the database keeps
    (credit.worker_counts): then no statement counts the rows."""
    keyset = Keyset(order)
    keys_only = query.with_only_columns(key, maintain_column_froms=True)
    stopped_at = None
    if total is None:
        total, stopped_at = _count(keys_only, capped)
    position = keyset.read(cursor, sort) if cursor is not None else None
    backward = position is not None and position[0] == BEFORE
    picked = keys_only.order_by(*(keyset.reversed() if backward else keyset).orderings())
    if position is not None:
        picked = picked.where(keyset.beyond(position[1], backward))
        if len(keyset.terms) == 1:
            picked = picked.where(*(Keyset([column]).beyond(position[1], backward) for column in key_equals))
    else:
        picked = picked.offset(written((page - 1) * per_page))
    # One key more than the page says whether a page follows (precedes, backward): read with the
    # keys, or counted in the page's own statement, so that only the page's rows are read (and
    # their numbers decrypted).
    entity = query.column_descriptions[0]["entity"]
    keys: list = []
    if keys_first:
        keys = list(db.session.scalars(picked.limit(written(per_page + 1))))
        rows = select(entity, *keyset.expressions).where(key.in_(keys[:per_page]))
    else:
        more_follow = select(func.count()).select_from(picked.limit(written(per_page + 1)).subquery()).scalar_subquery()
        rows = select(entity, *keyset.expressions, more_follow > per_page).where(
            one_of(key, picked.limit(written(per_page)))
        )
    shown = db.session.execute(rows.order_by(*keyset.orderings()).options(*load)).unique().all()
    more = len(keys) > per_page if keys_first else bool(shown) and bool(shown[0][-1])
    first, last = (keyset.values(shown[0]), keyset.values(shown[-1])) if shown else (None, None)
    after_page = more or backward
    before_page = more if backward else (position is not None or page > 1)
    return Page(
        items=[row[0] for row in shown],
        total=stopped_at if stopped_at is not None else total,
        page=None if position is not None else page,
        per_page=per_page,
        total_is_lower_bound=stopped_at is not None,
        more=after_page and last is not None,
        by_cursor=True,
        next=encode_cursor([sort, AFTER, *last]) if after_page and last is not None else None,
        previous=encode_cursor([sort, BEFORE, *first]) if before_page and first is not None else None,
    )


def among(column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column` among `values` sent as one array parameter on PostgreSQL (`= ANY ($1)`): the
    statement's text and plan are the same whatever the values and however many, where `IN ($1,
    ..., $20)` estimated its rows from each value and had PostgreSQL plan anew on almost every call
    (a page of classes' lessons at scale 1: 193 custom plans of 200)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(list(values))
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def written(value: Any) -> ColumnElement:
    """`value` written into the statement's text, not sent as a parameter: a page's LIMIT and
    OFFSET, or one of the few values a list is filtered by (a certificate's state). The driver
    prepares a statement run often, and PostgreSQL then plans it once for every value (a generic
    plan) unless that plan looks dearer than planning each call for its own values. With the LIMIT
    a parameter, the generic plan reckons on a tenth of the rows the range holds (3,333 of the
    city's 100,000 workers for a page of 20), and with the state one, on an average state's share
    (20,000 certificates) where 85,000 are issued: at scale 1 every page of the workers and every
    count of the issued certificates was planned anew (0.3 to 0.4 ms of a page's 1.7 ms in the
    database), at 0.01 none. Written, each value has its own statement, planned once."""
    return literal(value, literal_execute=True)


def _count(keys_only: Select, capped: bool) -> tuple[int, int | None]:
    """The rows counted, and the cap when the count stopped there (None: the count is exact)."""
    cap = current_app.config["LIST_COUNT_CAP"] if capped else None
    total = capped_count(keys_only, cap)
    return total, (cap if cap is not None and total > cap else None)


def capped_count(query: Select, cap: int | None) -> int:
    """The rows of `query`, counted exactly up to `cap` and no further: `cap + 1` when there are
    more (the database stops reading there), every row when `cap` is None."""
    counted = query.order_by(None)
    if cap is not None:
        counted = counted.limit(written(cap + 1))
    return db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0


AFTER, BEFORE = "after", "before"


@dataclass(frozen=True)
class SortTerm:
    """One column of an order: ascending or not, and where its NULLs go ("first", "last", or None:
    the database's own place, which PostgreSQL and SQLite choose differently). An expression that
    is not a column (a CASE, an IS NULL) is taken never to be NULL."""

    expression: ColumnElement
    descending: bool
    nulls: str | None

    @classmethod
    def of(cls, element: Any) -> "SortTerm":
        nulls = None
        if isinstance(element, UnaryExpression) and element.modifier in (
            operators.nulls_last_op,
            operators.nulls_first_op,
        ):
            nulls = "last" if element.modifier is operators.nulls_last_op else "first"
            element = element.element
        descending = False
        if isinstance(element, UnaryExpression) and element.modifier in (operators.desc_op, operators.asc_op):
            descending = element.modifier is operators.desc_op
            element = element.element
        if hasattr(element, "__clause_element__"):
            element = element.__clause_element__()
        return cls(element, descending, nulls)

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.expression, "nullable", False))

    def reversed(self) -> "SortTerm":
        flipped = {"first": "last", "last": "first"}.get(self.nulls or "")  # the database's own flips itself
        return SortTerm(self.expression, not self.descending, flipped)

    def ordering(self) -> ColumnElement:
        ordered = self.expression.desc() if self.descending else self.expression.asc()
        if self.nulls == "last":
            return ordered.nulls_last()
        if self.nulls == "first":
            return ordered.nulls_first()
        return ordered

    def nulls_follow(self) -> bool:
        """Whether the order puts NULLs after every value: PostgreSQL's NULL is the largest value,
        SQLite's the smallest."""
        if self.nulls is not None:
            return self.nulls == "last"
        return (db.session.get_bind().dialect.name == "postgresql") != self.descending

    def equal(self, value: Any) -> ColumnElement[bool]:
        return self.expression.is_(None) if value is None else self.expression == value

    def follows(self, value: Any, *, or_equal: bool = False) -> ColumnElement[bool]:
        """The rows after `value` in this column's order (and those equal to it, `or_equal`)."""
        if value is None:
            if self.nulls_follow():
                return self.expression.is_(None) if or_equal else false()
            return true() if or_equal else self.expression.is_not(None)
        # Bound as a value of the column's type: SQLAlchemy takes a bare True or False (the stars
        # order's `stars IS NULL`) for a keyword it compares only by = and IS.
        value = literal(value, self.expression.type)
        if self.descending:
            beyond = self.expression <= value if or_equal else self.expression < value
        else:
            beyond = self.expression >= value if or_equal else self.expression > value
        return or_(beyond, self.expression.is_(None)) if self.nullable and self.nulls_follow() else beyond

    def loaded(self, value: Any) -> Any:
        """A cursor's value for this column, as the database compares it; ValueError if it cannot be one."""
        if value is None:
            if not self.nullable:
                raise ValueError("NULL in a column that has none")
            return None
        python_type = self.expression.type.python_type
        if python_type in (date, datetime):
            if not isinstance(value, str):
                raise ValueError("not a date")
            moment = python_type.fromisoformat(value)
            if getattr(self.expression.type, "timezone", False) and moment.tzinfo is None:
                raise ValueError("a moment without its offset")
            return moment
        if python_type is float and type(value) in (int, float):
            return float(value)
        if type(value) is not python_type or (python_type is int and abs(value) >= 2**63):
            raise ValueError(f"not a {python_type.__name__} of the database")
        if python_type is str and "\x00" in value:
            raise ValueError("a NUL, which no text column holds")
        return value


class Keyset:
    """An order as the terms a cursor stands on: the sort key of the row a page starts after."""

    def __init__(self, order: Sequence[Any]):
        self.terms = [term if isinstance(term, SortTerm) else SortTerm.of(term) for term in order]

    @property
    def expressions(self) -> list[ColumnElement]:
        return [term.expression for term in self.terms]

    def orderings(self) -> list[ColumnElement]:
        return [term.ordering() for term in self.terms]

    def reversed(self) -> "Keyset":
        return Keyset([term.reversed() for term in self.terms])

    def values(self, row: Any) -> list:
        """The sort key of a row read with `expressions` after its entity, as JSON takes it."""
        return [value.isoformat() if isinstance(value, date) else value for value in row[1 : 1 + len(self.terms)]]

    def read(self, cursor: str, sort: str) -> tuple[str, list]:
        """The direction and sort key a cursor of this order names; 422 for any other string."""
        try:
            name, direction, *values = decode_cursor(cursor)
            if name != sort or direction not in (AFTER, BEFORE) or len(values) != len(self.terms):
                raise ValueError("a cursor of another list or order")
            return direction, [term.loaded(value) for term, value in zip(self.terms, values, strict=True)]
        except (ValueError, TypeError, NotImplementedError):
            raise Invalid(
                _("Not a cursor of this list in this order: start again from its first page."),
                code="invalid_cursor",
                field="cursor",
            ) from None

    def beyond(self, key: list, backward: bool) -> ColumnElement[bool]:
        """The rows after the sort key `key` (before it, `backward`): those past it in the first
        column, or equal there and past it in the next, and so on. The leading columns' bound is
        repeated alone (`start`), so that the database reads the index from there, not from its
        start."""
        terms = self.reversed().terms if backward else self.terms
        past: list[ColumnElement[bool]] = []
        equal: list[ColumnElement[bool]] = []
        for term, value in zip(terms, key, strict=True):
            past.append(and_(*equal, term.follows(value)))
            equal.append(term.equal(value))
        if len(terms) == 1:
            return past[0]
        return and_(self._start(terms, key), or_(*past))

    @staticmethod
    def _start(terms: list[SortTerm], key: list) -> ColumnElement[bool]:
        """Where the rows after `key` begin in the index, as far as one bound can say it: the
        leading columns that run the same way and hold no NULL compared together as a row (the
        index range starts at the cursor's grade and score, where the grade alone had the public
        company list read every company of the cursor's grade before it: 492 at scale 1), or the
        first column alone."""
        leading = []
        for term, value in zip(terms, key, strict=True):
            if term.nullable or value is None or term.descending != terms[0].descending:
                break
            leading.append((term.expression, value))
        if len(leading) < 2:
            return terms[0].follows(key[0], or_equal=True)
        columns, values = tuple_(*(c for c, _ in leading)), tuple_(*(literal(v, c.type) for c, v in leading))
        return columns <= values if terms[0].descending else columns >= values


class PageQuery(ma.Schema):
    """The paging part of a list's query string; a list's own query schema extends it."""

    page = PageNumber()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class CursorPageQuery(PageQuery):
    """The paging of a list paged by cursor: the first page, then `cursor` (a page's `next` or
    `previous`); `page` still reaches the rows a capped count reaches (LIST_COUNT_CAP): an OFFSET
    this short costs as little as the range read, and a client that counted pages keeps its
    first ones, as far as it can number them."""

    cursor = fields.String(
        metadata={
            "description": "a page's `next` or `previous`: the page after (before) it, in the same order",
            "maxLength": MAX_CURSOR_LENGTH,
        }
    )

    @ma.validates_schema(pass_original=True)
    def shallow_page_or_cursor(self, data: dict, original: Any, **_kwargs) -> None:
        if "cursor" in data and "page" in original:
            raise ma.ValidationError(_("give page or cursor, not both"), "cursor")
        numbered = current_app.config["LIST_COUNT_CAP"]
        if (data["page"] - 1) * data["per_page"] >= numbered:
            raise ma.ValidationError(
                _("only the first %(rows)s rows are paged by number: follow `next`", rows=numbered), "page"
            )


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


def cursor_page_schema(item_schema: type[ma.Schema] | ma.Schema, name: str, *, capped: bool = False) -> type[ma.Schema]:
    """The answer of a list paged by cursor: a page with the cursors of the pages beside it; of a
    list whose count stops at a cap (`capped`), with whether it stopped there."""
    shown: dict[str, fields.Field] = {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "total": fields.Integer(required=True),
        "page": fields.Integer(
            required=True, allow_none=True, metadata={"description": "the number asked for; null when by cursor"}
        ),
        "per_page": fields.Integer(required=True),
        "next": fields.String(
            required=True, allow_none=True, metadata={"description": "`cursor` of the next page; null on the last"}
        ),
        "previous": fields.String(
            required=True,
            allow_none=True,
            metadata={"description": "`cursor` of the page before; null on the first"},
        ),
    }
    if capped:
        shown["total_is_lower_bound"] = fields.Boolean(
            required=True, metadata={"description": "the count stopped at `total`: there are more rows than that"}
        )
    return ma.Schema.from_dict(shown, name=name)


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
