"""Reading a JSON body a client sent: what Python's json module does with a hostile one (a
RecursionError for thousands of nested brackets, a ValueError for an integer of more than 4,300
digits) becomes an answer naming the body or the field, never a 500."""

import json
from typing import Any

from app.errors import BadRequest
from app.i18n import _

# No body of this API nests deeper than a booking's location inside it (2); a client's own
# extras might add a few levels, thousands are an attack on the parser and on every recursive
# walk after it.
MAX_DEPTH = 16


def integer_or_infinity(text: str) -> int | float:
    """An integer the json module reads, or, past Python's digit limit (sys.int_info), the
    infinity no field takes: the schema then names the field, as it does for 1e999."""
    try:
        return int(text)
    except ValueError:
        return float("-inf" if text.startswith("-") else "inf")


def parse_json_body(body: bytes | str) -> Any:
    """The body's JSON; json.JSONDecodeError or UnicodeDecodeError for what is not UTF-8 JSON."""
    try:
        data = json.loads(body.decode() if isinstance(body, bytes) else body, parse_int=integer_or_infinity)
    except RecursionError:
        raise nested_too_deep() from None
    if depth(data) > MAX_DEPTH:
        raise nested_too_deep()
    return data


def nested_too_deep() -> BadRequest:
    return BadRequest(
        _("The JSON body is nested more than %(depth)s levels deep.", depth=MAX_DEPTH),
        code="json_too_deep",
        field="_body",
    )


def depth(data: Any) -> int:
    """How deeply arrays and objects nest in `data`, counted without recursion."""
    deepest, level = 0, [(data, 1)]
    while level:
        value, at = level.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        deepest = max(deepest, at)
        if at > MAX_DEPTH:
            break
        level.extend((child, at + 1) for child in children)
    return deepest
