"""The feed's one route: the receiving platform pulls pages of records with its API key."""

import csv
import io

from flask import current_app, g, request

from app.blueprint import ApiBlueprint
from app.database import writes_on_read
from feed.clients import API_KEY_SECURITY, api_key_required
from feed.models import FEED_VERSION
from feed.pulling import Cursor, FeedPage, log_pull, read_page
from feed.schemas import CSV_COLUMNS, FeedPageSchema, FeedRecordSchema, PullQuery

CSV_MIMETYPE = "text/csv"  # UTF-8, without a byte-order mark: a program reads it, not Excel
NEXT_CURSOR_HEADER, HAS_MORE_HEADER = "Feed-Next-Cursor", "Feed-Has-More"

blp = ApiBlueprint(
    "feed",
    __name__,
    url_prefix=f"/api/v1/public-credit/{FEED_VERSION}",
    description="公共信用资源数据目录: the public-credit feed the city's platform pulls (docs/public-credit-feed.md)",
    problem_meanings={
        401: "No API key (api_key_missing), an unknown one (api_key_invalid) or a revoked one "
        "(api_key_revoked): send Authorization: ApiKey <key>"
    },
)


@blp.get("/records")
@writes_on_read
@api_key_required
@blp.doc(security=API_KEY_SECURITY)
@blp.problems(401)
@blp.arguments(PullQuery, location="query")
@blp.response(200, FeedPageSchema)
@blp.doc(
    responses={
        200: {
            "content": {CSV_MIMETYPE: {"schema": {"type": "string"}}},
            "headers": {
                NEXT_CURSOR_HEADER: {"description": "the page's next_cursor", "schema": {"type": "string"}},
                HAS_MORE_HEADER: {"description": "true or false: has_more", "schema": {"type": "string"}},
            },
        }
    }
)
def pull_records(query):
    """Records in the order they committed: `since` for the first page, then each page's
    `next_cursor`; JSON or CSV (the cursor also in the Feed-Next-Cursor header). Every pull is
    logged."""
    cursor = query.get("cursor") or Cursor(since=query.get("since"))
    page = read_page(cursor, query["limit"])
    log_pull(g.feed_client, dict(request.args), page)
    headers = {NEXT_CURSOR_HEADER: page.next_cursor, HAS_MORE_HEADER: "true" if page.has_more else "false"}
    if _wants_csv(query):
        return current_app.response_class(_csv(page), mimetype=CSV_MIMETYPE, headers=headers)
    return page, 200, headers


def _wants_csv(query: dict) -> bool:
    if "format" in query:
        return query["format"] == "csv"
    return request.accept_mimetypes.best_match(["application/json", CSV_MIMETYPE]) == CSV_MIMETYPE


def _csv(page: FeedPage) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(FeedRecordSchema(many=True).dump(page.records))
    return out.getvalue()
