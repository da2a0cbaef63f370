"""The printable page of a published list (/publications/<id>/print): plain HTML in Chinese with
a print style sheet, no script; the same rows as the JSON and the CSV."""

from flask import Blueprint, render_template

from app.clock import in_beijing
from app.geography import DISTRICTS
from publication.access import existing_publication
from publication.export import entries_of

pages = Blueprint("publication_pages", __name__, template_folder="templates")


@pages.get("/publications/<id:publication_id>/print")
def printable_list(publication_id):
    publication = existing_publication(publication_id)
    return render_template(
        "publication/print.html",
        publication=publication,
        entries=entries_of(publication),
        districts=DISTRICTS,
        published_at=in_beijing(publication.published_at).strftime("%Y-%m-%d %H:%M"),
    )
