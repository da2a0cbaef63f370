"""Loading what a route names, or its 404."""

from app.errors import NotFound
from app.extensions import db
from app.i18n import _
from publication.models import Publication


def existing_publication(publication_id: int) -> Publication:
    publication = db.session.get(Publication, publication_id)
    if publication is None:
        raise NotFound(_("No published list %(id)s.", id=publication_id), code="unknown_publication")
    return publication
