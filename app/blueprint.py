"""The blueprint class every feature's API uses."""

import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser


class ApiBlueprint(flask_smorest.Blueprint):
    # webargs ignores unknown query parameters by default; here a misspelt parameter is a 422
    # naming it, rather than a silently different answer.
    ARGUMENTS_PARSER = FlaskParser(unknown=ma.RAISE)
