"""The kinds of complaint there are, registered by the features that take them (booking: about a
booking; doorstep: about a door entry; engagements: about an engagement), so handling, lists and
escalation work on every kind without knowing the features, as wechat.content's checked texts do."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement

from accounts.models import User

# A HandledComplaint row of any kind.
Complaint = Any


@dataclass(frozen=True)
class ComplaintKind:
    name: str  # the model's COMPLAINT_KIND
    model: Any  # a HandledComplaint model class
    # SQL, correlated to the model: the station whose staff handle the complaint; a kind whose
    # complaints no station handles (a door entry) gives NULL, and only operators handle them.
    station_code: Callable[[], ColumnElement]
    station_of: Callable[[Complaint], str | None]
    worker_of: Callable[[Complaint], int | None]
    # What a decision (upheld, dismissed, invalid) does beyond the complaint: its credit events.
    decided: Callable[[Complaint, str, User], None]
    # The company whose admins handle a complaint no station handles (an engagement asked of a
    # company): they are told of it when it is filed; None, operators are.
    company_of: Callable[[Complaint], int | None] = lambda complaint: None


def register_complaint_kind(app: Flask, kind: ComplaintKind) -> None:
    app.extensions.setdefault("complaint_kinds", {})[kind.name] = kind


def complaint_kinds() -> list[ComplaintKind]:
    return list(current_app.extensions.get("complaint_kinds", {}).values())


def kind_of(complaint: Complaint) -> ComplaintKind:
    return current_app.extensions["complaint_kinds"][type(complaint).COMPLAINT_KIND]
