"""What the city's public-credit platform is told of the 失信名单 (feed/, docs/public-credit-feed.md):
each listing's start and its end, recorded in the transaction that makes them, as the data
dictionary defines them: the category and the dates, the case's number as its reference, and the
party only as the feed names any subject (certificate number or credit code, masked name)."""

from app.clock import utcnow
from feed.models import LISTING_ENDED, LISTING_STARTED
from feed.records import publish_record
from sanctions.measures import listing_ended, listing_started
from sanctions.models import Listing


def _fields(listing: Listing) -> dict:
    return {
        "listing_category": listing.category,
        "listed_from": listing.listed_from,
        "listed_until": listing.listed_until,
        "listing_reference": str(listing.case_id),
    }


@listing_started.connect
def record_listing_started(listing: Listing, **_) -> None:
    publish_record(LISTING_STARTED, utcnow(), listing.subject, **_fields(listing))


@listing_ended.connect
def record_listing_ended(listing: Listing, **_) -> None:
    publish_record(LISTING_ENDED, utcnow(), listing.subject, **_fields(listing), end_reason=listing.end_reason)
