"""Every page module, nested under the console's blueprint once, when first imported (a blueprint
takes no new children once an app has registered it). The menu lists each role's pages in this
order (a station's desk first), whatever order the modules were imported in."""

from console.engagements import engagements
from console.evidence import evidence
from console.login import development_login, login
from console.objections import objections
from console.operator import operator
from console.publications import publications
from console.sanctions import sanctions
from console.station import station
from console.supervision import supervision
from console.training import training
from console.web import MENU, console
from console.workers import workers

PAGES = (
    login,
    development_login,
    station,
    workers,
    evidence,
    objections,
    engagements,
    operator,
    training,
    publications,
    sanctions,
    supervision,
)
for pages in PAGES:
    console.register_blueprint(pages)
MENU.sort(key=lambda entry: [pages.name for pages in PAGES].index(entry.endpoint.split(".")[1]))

__all__ = ["console"]
