"""The words a person reads beside a field, in the request's language: marshmallow (and webargs)
write their own messages in English ("Missing data for required field.", "Length must be between
2 and 100."), so every field message of a problem passes through `translated` on its way out. A message is matched
against the templates below (their numbers and choices read back out of it) and worded by the
catalogue. Anything else is left as it is: our own messages are worded by `_()` where they are
raised, and some field "messages" are values (a 409's current status code), not sentences."""

import re
from collections.abc import Mapping
from typing import Any

from app.i18n import _


def N_(message: str) -> str:
    """Marks a message for the catalogue (pybabel's default keyword) without translating it yet."""
    return message


# marshmallow's templates ({name} placeholders) and the catalogue's message for each (%(name)s),
# and webargs' one message of its own (a body that is not JSON).
TEMPLATES = {
    "Invalid JSON body.": N_("Invalid JSON body."),
    "Missing data for required field.": N_("Missing data for required field."),
    "Field may not be null.": N_("Field may not be null."),
    "Invalid value.": N_("Invalid value."),
    "Unknown field.": N_("Unknown field."),
    "Not a valid string.": N_("Not a valid string."),
    "Not a valid integer.": N_("Not a valid integer."),
    "Not a valid number.": N_("Not a valid number."),
    "Number too large.": N_("Number too large."),
    "Special numeric values (nan or infinity) are not permitted.": N_(
        "Special numeric values (nan or infinity) are not permitted."
    ),
    "Not a valid boolean.": N_("Not a valid boolean."),
    "Not a valid datetime.": N_("Not a valid datetime."),
    "Not a valid date.": N_("Not a valid date."),
    "Not a valid time.": N_("Not a valid time."),
    "Not a valid {awareness} datetime.": N_("Not a valid %(awareness)s datetime."),
    "Not a valid URL.": N_("Not a valid URL."),
    "Not a valid email address.": N_("Not a valid email address."),
    "Not a valid list.": N_("Not a valid list."),
    "Not a valid mapping type.": N_("Not a valid mapping type."),
    "Invalid input type.": N_("Invalid input type."),
    "Not a valid UUID.": N_("Not a valid UUID."),
    "String does not match expected pattern.": N_("String does not match expected pattern."),
    "Shorter than minimum length {min}.": N_("Shorter than minimum length %(min)s."),
    "Longer than maximum length {max}.": N_("Longer than maximum length %(max)s."),
    "Length must be between {min} and {max}.": N_("Length must be between %(min)s and %(max)s."),
    "Length must be {equal}.": N_("Length must be %(equal)s."),
    "Must be greater than or equal to {min} and less than or equal to {max}.": N_(
        "Must be greater than or equal to %(min)s and less than or equal to %(max)s."
    ),
    "Must be greater than or equal to {min}.": N_("Must be greater than or equal to %(min)s."),
    "Must be less than or equal to {max}.": N_("Must be less than or equal to %(max)s."),
    "Must be greater than {min}.": N_("Must be greater than %(min)s."),
    "Must be less than {max}.": N_("Must be less than %(max)s."),
    "Must be one of: {choices}.": N_("Must be one of: %(choices)s."),
}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)) + r"\Z"
    )


PATTERNS = [(_pattern(template), wording) for template, wording in TEMPLATES.items()]


def translated(messages: Any) -> Any:
    """The same nesting of field messages (dicts of lists, lists of strings), each message worded
    in the request's language."""
    if isinstance(messages, Mapping):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translated(message) for message in messages]
    if not isinstance(messages, str):
        return messages
    for pattern, wording in PATTERNS:
        found = pattern.match(messages)
        if found:
            return _(wording, **found.groupdict())
    return messages
