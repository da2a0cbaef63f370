"""The figures' queries (a period of Beijing dates, a district, a station) and answers (charts:
labels with their keys, and one series of numbers per thing counted)."""

from datetime import date

import marshmallow as ma
from marshmallow import fields

from app.clock import today_in_beijing
from app.fields import FullMatch
from app.i18n import _, lazy_gettext
from credit.schemas import DistrictField
from industry_statistics.periods import Period

# A period longer than this is refused: ten years of months is as much as a chart shows.
MAX_MONTHS = 120


def _default_first_day(last_day: date) -> date:
    """The first day of the twelfth month back: a year of months, the last one's included."""
    year, month = (
        (last_day.year, last_day.month - 11) if last_day.month == 12 else (last_day.year - 1, last_day.month + 1)
    )
    return date(year, month, 1)


class PeriodQuery(ma.Schema):
    date_from = fields.Date(
        data_key="from",
        metadata={
            "description": "first day counted (Beijing), YYYY-MM-DD; by default the first of the month a year "
            "before `to`'s next month, so that twelve months are counted"
        },
    )
    date_to = fields.Date(
        data_key="to", metadata={"description": "last day counted (Beijing), YYYY-MM-DD; by default today"}
    )

    @ma.validates_schema
    def from_before_to(self, data, **_kwargs):
        last_day = data.get("date_to") or today_in_beijing()
        first_day = data.get("date_from") or _default_first_day(last_day)
        if first_day > last_day:
            raise ma.ValidationError(_("must not be after to"), field_name="from")
        if len(Period(first_day, last_day).months) > MAX_MONTHS:
            raise ma.ValidationError(
                _("must be at most %(months)s months before to", months=MAX_MONTHS), field_name="from"
            )

    @ma.post_load
    def period(self, data, **_kwargs):
        last_day = data.pop("date_to", None) or today_in_beijing()
        first_day = data.pop("date_from", None) or _default_first_day(last_day)
        return data | {"period": Period(first_day, last_day)}


class DistrictQuery(ma.Schema):
    district = DistrictField()


class PeriodDistrictQuery(PeriodQuery, DistrictQuery):
    pass


class BookingFiguresQuery(PeriodDistrictQuery):
    station = fields.String(
        validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code")),
        metadata={"description": "one station's figures; station staff get their own station's whatever they send"},
    )


class ChartSeriesSchema(ma.Schema):
    key = fields.String(required=True, metadata={"description": "what is counted, for programs"})
    name = fields.String(required=True, metadata={"description": "what is counted, for people"})
    data = fields.List(
        fields.Float(allow_none=True),
        required=True,
        metadata={"description": "one number per label, in order; null for a rate or time of nothing"},
    )


class ChartSchema(ma.Schema):
    keys = fields.List(fields.String(), required=True, metadata={"description": "what each label stands for"})
    labels = fields.List(fields.String(), required=True)
    series = fields.List(fields.Nested(ChartSeriesSchema), required=True)


class PeriodSchema(ma.Schema):
    date_from = fields.Date(required=True, data_key="from", attribute="period.first_day")
    date_to = fields.Date(required=True, data_key="to", attribute="period.last_day")


class CertificateFiguresSchema(PeriodSchema):
    district_code = fields.String(allow_none=True)
    by_month = fields.Nested(ChartSchema, required=True, metadata={"description": "labels: months, YYYY-MM"})
    by_district = fields.Nested(ChartSchema, required=True, metadata={"description": "keys: district codes"})


class WorkerFiguresSchema(ma.Schema):
    district_code = fields.String(allow_none=True)
    as_of = fields.Date(required=True, metadata={"description": "the day (Beijing) ages are counted on"})
    total = fields.Integer(required=True)
    by_gender = fields.Nested(ChartSchema, required=True)
    by_age_band = fields.Nested(ChartSchema, required=True, metadata={"description": "series: genders"})
    by_service_type = fields.Nested(
        ChartSchema, required=True, metadata={"description": "a worker counts under each service they offer"}
    )
    by_district = fields.Nested(ChartSchema, required=True, metadata={"description": "series: genders"})
    by_stars = fields.Nested(ChartSchema, required=True, metadata={"description": "keys: 1 to 5, and none"})


class CompanyFiguresSchema(ma.Schema):
    district_code = fields.String(allow_none=True)
    total = fields.Integer(required=True)
    by_grade = fields.Nested(ChartSchema, required=True)
    by_district = fields.Nested(ChartSchema, required=True, metadata={"description": "series: grades"})


class BookingFiguresSchema(PeriodSchema):
    district_code = fields.String(allow_none=True)
    station_code = fields.String(allow_none=True)
    by_station = fields.Nested(
        ChartSchema, required=True, metadata={"description": "stations with bookings in the period; keys: codes"}
    )
    by_district = fields.Nested(ChartSchema, required=True)


class ComplaintFiguresSchema(PeriodSchema):
    district_code = fields.String(allow_none=True)
    by_month = fields.Nested(ChartSchema, required=True)


class TrainingFiguresSchema(PeriodSchema):
    by_month = fields.Nested(ChartSchema, required=True)
    by_course = fields.Nested(ChartSchema, required=True, metadata={"description": "keys: course ids"})
