"""Credit levels computed from the event ledger by the rules in scoring.toml.

Pure functions of (events, configuration, moment) and of the few facts beside the ledger that an
input reads (the company's workers' stars, the worker's employer's grade and code colour, the
company's standing in its cohort): no database, no numbers of their own, so the same facts always
give the same level and the official weights can replace the placeholders without touching code.

A level comes from the total either by absolute threshold (`levels`) or, for companies, by rank
band (`levels_by = "rank"`, 动态排名): a company's percentile is the share of the cohort (the
active companies, itself included) whose score is strictly higher, so equal scores always get the
same level; the first band whose upper bound the percentile is below gives the level, and the
share the bands leave over gets the lowest level. Below `min_cohort` companies, or for a company
outside the cohort, the absolute thresholds give the level and the result says which fallback.

The order that breaks the cycle between the two subjects (a company's `mean_of_worker_levels`
reads its workers' stored stars; a worker's `employer_level` reads the employer's stored grade):
- after one event, the worker is recomputed reading the employer's stored grade, then the
  employer reading its workers' stored stars, re-banded against the stored scores of the other
  companies; it stops there (neither the other companies nor the employer's other workers move
  until their own next recompute);
- `flask credit recompute-all` (credit.recomputing) computes every company's score from its
  ledger, ranks them all and stores their grades, then every worker (reading those grades), then
  every company once more (reading the new stars), and repeats (the workers of the companies
  regraded, then every company) only while that last pass changed a grade the workers read, so
  that a second run changes nothing.
"""

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Protocol

SCORING_FILE = Path(__file__).resolve().parent / "scoring.toml"
# Inputs that read a fact beside the subject's own ledger (their `kind` only names the input), and
# the subject whose inputs may read it.
READS_BESIDE_LEDGER = {"mean_of_worker_levels": "company", "employer_level": "worker", "code_colour": "worker"}
MODES = {"latest", "sum", "mean"} | set(READS_BESIDE_LEDGER)
SUBJECTS = ("worker", "company")
GREEN_ITEMS = ("identity", "health_certificate", "criminal_record", "insurance")
CODE_COLOURS = ("green", "yellow", "red")
LEVELS_BY = ("threshold", "rank")
# Why a rank-graded company got its level from the absolute thresholds instead.
SMALL_COHORT, NOT_IN_COHORT = "small_cohort", "not_in_cohort"


class LedgerEntry(Protocol):
    """What the scorer reads of a ledger row: a CreditEvent, or a lighter row with the same
    attributes (credit.recomputing reads millions)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def neutralises_id(self) -> int | None: ...  # set on an upheld objection's compensating entry


@dataclass(frozen=True)
class ColourRules:
    """What green needs beside an issued certificate (scoring.toml's [colour])."""

    green_requires: frozenset[str]
    criminal_record_recheck_months: int


@dataclass(frozen=True)
class Band:
    """The level of the companies whose percentile is from `from_percent` (included) to
    `to_percent` (excluded)."""

    level: str
    from_percent: Fraction
    to_percent: Fraction


@dataclass(frozen=True)
class RankRules:
    """scoring.toml's [<subject>.rank]: the bands from the top, the last one the remainder."""

    min_cohort: int
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Standing:
    """Where a company stands in its cohort: how many active companies there are, itself
    included, and how many of them have a strictly higher score."""

    cohort_size: int
    higher: int


@dataclass(frozen=True)
class Placement:
    """How a rank-graded level was reached: the band, or the fallback to the thresholds."""

    min_cohort: int
    cohort_size: int
    percentile: float | None  # None outside the cohort
    band: Band | None  # None when the thresholds gave the level
    fallback: str | None  # SMALL_COHORT, NOT_IN_COHORT or None


@dataclass(frozen=True)
class ScoringConfig:
    version: str
    placeholder: bool
    recorded_only: frozenset[str]
    subjects: dict
    colour: ColourRules
    rank: dict[str, RankRules | None]  # None: graded by threshold

    def kinds(self, subject: str) -> set[str]:
        """Event kinds that may be recorded against a worker or a company."""
        scored = {
            i["kind"]
            for d in self.subjects[subject]["dimensions"]
            for i in d["inputs"]
            if i["mode"] not in READS_BESIDE_LEDGER
        }
        return scored | set(self.recorded_only)

    def level_names(self, subject: str) -> list[str]:
        """The subject's levels, lowest first."""
        return [name for _, name in self.subjects[subject]["levels"]]


@dataclass
class InputScore:
    kind: str
    mode: str
    contribution: float
    events: list[LedgerEntry] = field(default_factory=list)  # the entries that count


@dataclass
class DimensionScore:
    name: str
    weight: float
    score: float
    inputs: list[InputScore]


@dataclass
class CreditResult:
    score: float
    level: str
    version: str
    dimensions: list[DimensionScore]
    capped_by: list[LedgerEntry] = field(default_factory=list)  # entries holding the level down
    cap: str | None = None  # the level those entries hold it at
    placement: Placement | None = None  # how a rank-graded level was reached


def parse_config(text: str) -> ScoringConfig:
    """Reads and checks a configuration, so a typo fails at start-up, not at the first event."""
    raw = tomllib.loads(text)
    for subject in SUBJECTS:
        section = raw[subject]
        total_weight = sum(d["weight"] for d in section["dimensions"])
        if abs(total_weight - 1) > 1e-9:
            raise ValueError(f"{subject} dimension weights add up to {total_weight}, not 1")
        thresholds = [t for t, _ in section["levels"]]
        if thresholds != sorted(thresholds) or thresholds[0] != 0:
            raise ValueError(f"{subject} level thresholds must rise from 0")
        names = [name for _, name in section["levels"]]
        for cap in section.get("caps", []):
            if cap["max_level"] not in names:
                raise ValueError(f"{subject} cap names an unknown level {cap['max_level']!r}")
        for dimension in section["dimensions"]:
            for item in dimension["inputs"]:
                _check_input(subject, dimension["name"], item)
    return ScoringConfig(
        raw["version"],
        raw.get("placeholder", False),
        frozenset(raw.get("recorded_only", [])),
        {s: raw[s] for s in SUBJECTS},
        _colour_rules(raw["colour"]),
        {s: _rank_rules(s, raw[s]) for s in SUBJECTS},
    )


def _check_input(subject: str, dimension: str, item: dict) -> None:
    mode = item["mode"]
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} in {subject}/{dimension}")
    if READS_BESIDE_LEDGER.get(mode, subject) != subject:
        raise ValueError(f"mode {mode!r} in {subject}/{dimension} is for a {READS_BESIDE_LEDGER[mode]} only")
    if mode == "code_colour":
        points = item["points"]
        if not isinstance(points, dict) or set(points) != set(CODE_COLOURS):
            raise ValueError(f"{subject}/{dimension} code_colour points must name exactly {', '.join(CODE_COLOURS)}")
        if not all(isinstance(value, int | float) for value in points.values()):
            raise ValueError(f"{subject}/{dimension} code_colour points must be numbers")


def _rank_rules(subject: str, section: dict) -> RankRules | None:
    """Checks `levels_by` and, for rank, the bands: from the top level down, each a share of the
    cohort above 0, together at most 100%; what they leave over is the lowest level's."""
    levels_by = section.get("levels_by", "threshold")
    if levels_by not in LEVELS_BY:
        raise ValueError(f"{subject}.levels_by must be one of {', '.join(LEVELS_BY)}, not {levels_by!r}")
    if levels_by == "threshold":
        return None
    if subject != "company":
        raise ValueError("levels by rank are for companies only (the cohort is the active companies)")
    rules = section.get("rank")
    if not isinstance(rules, dict):
        raise ValueError(f"{subject}.levels_by is rank but there is no [{subject}.rank]")
    min_cohort = rules.get("min_cohort")
    if not isinstance(min_cohort, int) or isinstance(min_cohort, bool) or min_cohort < 1:
        raise ValueError(f"{subject}.rank.min_cohort must be a whole number above 0, not {min_cohort!r}")
    names = [name for _, name in section["levels"]]
    bands, top, previous = [], Fraction(0), len(names)
    for share, level in rules.get("bands") or ():
        if level not in names:
            raise ValueError(f"{subject}.rank.bands names an unknown level {level!r}")
        if names.index(level) >= previous:
            raise ValueError(f"{subject}.rank.bands must go from the highest level down, each level once")
        if not isinstance(share, int | float) or isinstance(share, bool) or share <= 0:
            raise ValueError(f"{subject}.rank.bands share of {level} must be a percentage above 0, not {share!r}")
        bands.append(Band(level, top, top + Fraction(str(share))))
        top, previous = bands[-1].to_percent, names.index(level)
    if not bands:
        raise ValueError(f"{subject}.rank.bands must list at least one band")
    if top > 100:
        raise ValueError(f"{subject}.rank.bands add up to {float(top)}%, more than 100%")
    if top < 100:
        if bands[-1].level == names[0]:
            bands[-1] = replace(bands[-1], to_percent=Fraction(100))
        else:
            bands.append(Band(names[0], top, Fraction(100)))
    return RankRules(min_cohort, tuple(bands))


def _colour_rules(section: dict) -> ColourRules:
    unknown = set(section["green_requires"]) - set(GREEN_ITEMS)
    if unknown:
        known = ", ".join(GREEN_ITEMS)
        raise ValueError(f"colour.green_requires names unknown items {sorted(unknown)}; known: {known}")
    months = section["criminal_record_recheck_months"]
    if not isinstance(months, int) or months < 1:
        raise ValueError(f"colour.criminal_record_recheck_months must be a whole number of months, not {months!r}")
    return ColourRules(frozenset(section["green_requires"]), months)


@cache
def current_config() -> ScoringConfig:
    return parse_config(SCORING_FILE.read_text(encoding="utf-8"))


def _decay(entry: LedgerEntry, as_of: datetime, half_life_days: float | None) -> float:
    if not half_life_days:
        return 1.0
    age_days = max((as_of - entry.created_at).total_seconds() / 86400, 0)
    return 0.5 ** (age_days / half_life_days)


@dataclass(frozen=True)
class Beside:
    """The facts beside the ledger that inputs read: a company's workers' stars (those holding an
    issued certificate), a worker's employer's level (1 for the lowest) and code colour (None: no
    employer, no code)."""

    worker_levels: Sequence[int] = ()
    employer_level: int | None = None
    code_colour: str | None = None


def _score_input(
    item: dict, entries: list[LedgerEntry], beside: Beside, as_of: datetime, half_life: float | None
) -> InputScore:
    mode, points, center = item["mode"], item["points"], item.get("center", 0)
    result = InputScore(item["kind"], mode, 0.0, list(entries))
    if mode == "mean_of_worker_levels":
        if beside.worker_levels:
            result.contribution = points * (sum(beside.worker_levels) / len(beside.worker_levels) - center)
    elif mode == "employer_level":
        if beside.employer_level is not None:
            result.contribution = points * (beside.employer_level - center)
    elif mode == "code_colour":
        if beside.code_colour is not None:
            result.contribution = points[beside.code_colour]
    elif mode == "latest":
        if entries:
            latest = max(entries, key=lambda e: (e.created_at, e.id))
            result.contribution, result.events = points * latest.value, [latest]
    else:
        weights = [_decay(e, as_of, half_life) for e in entries]
        if mode == "sum":
            result.contribution = points * sum(w * e.value for w, e in zip(weights, entries, strict=True))
        elif entries:
            mean = sum(w * e.value for w, e in zip(weights, entries, strict=True)) / sum(weights)
            result.contribution = points * (mean - center)
    return result


def standing_entries(entries: Sequence[LedgerEntry], as_of: datetime) -> list[LedgerEntry]:
    """The entries that count at `as_of`: those made by then, less every entry an upheld objection
    neutralised by then (and the compensating entries themselves, which only say so)."""
    made = [entry for entry in entries if entry.created_at <= as_of]
    neutralised = {entry.neutralises_id for entry in made if entry.neutralises_id is not None}
    return [entry for entry in made if entry.id not in neutralised and entry.neutralises_id is None]


def compute(
    subject: str,
    entries: Sequence[LedgerEntry],
    as_of: datetime,
    config: ScoringConfig,
    beside: Beside | None = None,
    standing: Callable[[float], Standing | None] | None = None,
) -> CreditResult:
    """The level of a worker or company whose ledger is `entries`, as it stands at `as_of`;
    `standing` tells where a score would stand in the cohort (None: outside it), for a subject
    graded by rank."""
    section, beside = config.subjects[subject], beside or Beside()
    by_kind: dict[str, list[LedgerEntry]] = {}
    for entry in standing_entries(entries, as_of):
        by_kind.setdefault(entry.kind, []).append(entry)
    dimensions = []
    for dimension in section["dimensions"]:
        inputs = [
            _score_input(item, by_kind.get(item["kind"], []), beside, as_of, section.get("half_life_days"))
            for item in dimension["inputs"]
        ]
        score = min(max(dimension["base"] + sum(i.contribution for i in inputs), 0.0), 100.0)
        dimensions.append(DimensionScore(dimension["name"], dimension["weight"], round(score, 4), inputs))
    total = round(sum(d.weight * d.score for d in dimensions), 4)
    names = config.level_names(subject)
    cap, capped_by = None, []
    for rule in section.get("caps", []):
        if by_kind.get(rule["kind"]):
            if cap is None or names.index(rule["max_level"]) < names.index(cap):
                cap = rule["max_level"]
            capped_by += by_kind[rule["kind"]]
    result = CreditResult(total, names[0], config.version, dimensions, capped_by, cap)
    rules = config.rank.get(subject)
    return placed(result, subject, config, standing(total) if rules is not None and standing else None)


def placed(result: CreditResult, subject: str, config: ScoringConfig, standing: Standing | None) -> CreditResult:
    """`result` with the level its score, its cap and (graded by rank) its standing give, so that
    a company's grade can be found again for another standing without its ledger (credit.recomputing
    scores every company first, then ranks them)."""
    section, names = config.subjects[subject], config.level_names(subject)
    by_threshold = len([threshold for threshold, _ in section["levels"] if result.score >= threshold]) - 1
    rules, placement, index = config.rank.get(subject), None, by_threshold
    if rules is not None:
        placement = _placement(rules, standing)
        if placement.band is not None:
            index = names.index(placement.band.level)
    if result.cap is not None:
        index = min(index, names.index(result.cap))
    return replace(result, level=names[index], placement=placement)


def _placement(rules: RankRules, standing: Standing | None) -> Placement:
    if standing is None:
        return Placement(rules.min_cohort, 0, None, None, NOT_IN_COHORT)
    percentile = Fraction(100 * standing.higher, standing.cohort_size)
    shown = round(float(percentile), 2)
    if standing.cohort_size < rules.min_cohort:
        return Placement(rules.min_cohort, standing.cohort_size, shown, None, SMALL_COHORT)
    band = next(band for band in rules.bands if percentile < band.to_percent)
    return Placement(rules.min_cohort, standing.cohort_size, shown, band, None)
