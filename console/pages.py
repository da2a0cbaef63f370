"""Every page module, nested under the console's blueprint once, when first imported (a blueprint
takes no new children once an app has registered it)."""

from console.engagements import engagements
from console.evidence import evidence
from console.login import development_login, login
from console.objections import objections
from console.operator import operator
from console.publications import publications
from console.station import station
from console.training import training
from console.web import console
from console.workers import workers

for pages in (
    login,
    development_login,
    station,
    engagements,
    workers,
    evidence,
    objections,
    operator,
    training,
    publications,
):
    console.register_blueprint(pages)

__all__ = ["console"]
