"""What every figure is answered as, the shape a chart library draws: the labels along one axis
(with the keys behind them: a month, a district or station code, a grade), and one series of
numbers per thing counted, in the labels' order."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.geography import DISTRICTS
from app.i18n import _


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    data: list[float | int | None]


@dataclass(frozen=True)
class Chart:
    keys: list[str]
    labels: list[str]
    series: list[Series]


def chart(keys: Sequence[str], labels: Sequence[str], series: Sequence[tuple[str, str, Mapping]], missing=0) -> Chart:
    """A chart of `series` given as (key, name, {label key: value}); a label key a series has
    no value for counts `missing` (0 for counts, None for a rate of nothing)."""
    return Chart(
        keys=list(keys),
        labels=list(labels),
        series=[Series(key, str(name), [values.get(k, missing) for k in keys]) for key, name, values in series],
    )


def rate(part: int, whole: int) -> float | None:
    """part / whole to four places; None (not 0) when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def rates(parts: Mapping, wholes: Mapping) -> dict:
    return {key: rate(parts.get(key, 0), whole) for key, whole in wholes.items()}


# A figure of a worker without a company (credit keeps no address of a worker, only of the
# company): counted under this key, so that the districts add up to the whole.
NO_DISTRICT = "none"


def district_axis(district_code: str | None, with_none: bool) -> tuple[list[str], list[str]]:
    """The keys and labels of a chart by district: Guangzhou's eleven in code order, or the one
    asked for; and `NO_DISTRICT` after them when the figure has one."""
    keys = [district_code] if district_code else list(DISTRICTS)
    labels = [DISTRICTS[key] for key in keys]
    if with_none and not district_code:
        keys.append(NO_DISTRICT)
        labels.append(_("without a company"))
    return keys, labels
