"""The blueprint class every feature's API uses."""

import flask_smorest
import marshmallow as ma
from flask import abort
from webargs.flaskparser import FlaskParser, is_json_request


class StrictParser(FlaskParser):
    """webargs ignores unknown query parameters and treats a non-JSON body as no body at all;
    here a misspelt parameter is a 422 naming it and a form or text body is a 415, rather than a
    silently different answer."""

    def _raw_load_json(self, req):
        if not is_json_request(req) and (req.content_length or req.content_type):
            abort(415, description="Send the body as JSON (Content-Type: application/json).")
        return super()._raw_load_json(req)


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser(unknown=ma.RAISE)
