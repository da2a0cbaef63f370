"""Conditional GET: answer 304 from a cheap data version without building the body."""

import hashlib
from functools import wraps

from flask import current_app, make_response, request


def conditional(data_version, max_age_setting: str):
    """Give the response an ETag made of `data_version()` and the request's path and query, and
    let clients keep it for the seconds configured under `max_age_setting`.

    A client that sends that tag in If-None-Match gets 304 and no body; the view never runs.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            seed = f"{data_version()}|{request.full_path}"
            etag = hashlib.blake2b(seed.encode(), digest_size=12).hexdigest()
            cache_control = f"public, max-age={current_app.config[max_age_setting]}"
            if etag in request.if_none_match:
                response = current_app.response_class(status=304)
            else:
                response = make_response(view(*args, **kwargs))
            if response.status_code in (200, 304):
                response.set_etag(etag)
                response.headers["Cache-Control"] = cache_control
            return response

        return wrapper

    return decorator
