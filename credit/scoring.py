"""Credit levels computed from the event ledger by the rules in scoring.toml.

Pure functions of (events, configuration, moment): no database, no numbers of their own, so the
same ledger always gives the same level and the official weights can replace the placeholders
without touching code.
"""

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Protocol

SCORING_FILE = Path(__file__).resolve().parent / "scoring.toml"
MODES = {"latest", "sum", "mean", "mean_of_worker_levels"}
SUBJECTS = ("worker", "company")
GREEN_ITEMS = ("identity", "health_certificate", "criminal_record", "insurance")


class LedgerEntry(Protocol):
    id: int
    kind: str
    value: float
    created_at: datetime
    neutralises_id: int | None  # set on an upheld objection's compensating entry


@dataclass(frozen=True)
class ColourRules:
    """What green needs beside an issued certificate (scoring.toml's [colour])."""

    green_requires: frozenset[str]
    criminal_record_recheck_months: int


@dataclass(frozen=True)
class ScoringConfig:
    version: str
    placeholder: bool
    recorded_only: frozenset[str]
    subjects: dict
    colour: ColourRules

    def kinds(self, subject: str) -> set[str]:
        """Event kinds that may be recorded against a worker or a company."""
        scored = {
            i["kind"]
            for d in self.subjects[subject]["dimensions"]
            for i in d["inputs"]
            if i["mode"] != "mean_of_worker_levels"
        }
        return scored | set(self.recorded_only)


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
                if item["mode"] not in MODES:
                    raise ValueError(f"unknown mode {item['mode']!r} in {subject}/{dimension['name']}")
    return ScoringConfig(
        raw["version"],
        raw.get("placeholder", False),
        frozenset(raw.get("recorded_only", [])),
        {s: raw[s] for s in SUBJECTS},
        _colour_rules(raw["colour"]),
    )


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


def _score_input(
    item: dict, entries: list[LedgerEntry], worker_levels: list[int], as_of: datetime, half_life: float | None
) -> InputScore:
    mode, points, center = item["mode"], item["points"], item.get("center", 0)
    result = InputScore(item["kind"], mode, 0.0, list(entries))
    if mode == "mean_of_worker_levels":
        if worker_levels:
            result.contribution = points * (sum(worker_levels) / len(worker_levels) - center)
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
    worker_levels: Sequence[int] = (),
) -> CreditResult:
    """The level of a worker or company whose ledger is `entries`, as it stands at `as_of`."""
    section = config.subjects[subject]
    by_kind: dict[str, list[LedgerEntry]] = {}
    for entry in standing_entries(entries, as_of):
        by_kind.setdefault(entry.kind, []).append(entry)
    dimensions = []
    for dimension in section["dimensions"]:
        inputs = [
            _score_input(item, by_kind.get(item["kind"], []), list(worker_levels), as_of, section.get("half_life_days"))
            for item in dimension["inputs"]
        ]
        score = min(max(dimension["base"] + sum(i.contribution for i in inputs), 0.0), 100.0)
        dimensions.append(DimensionScore(dimension["name"], dimension["weight"], round(score, 4), inputs))
    total = round(sum(d.weight * d.score for d in dimensions), 4)
    names = [name for _, name in section["levels"]]
    rank = len([threshold for threshold, _ in section["levels"] if total >= threshold]) - 1
    capped_by = []
    for cap in section.get("caps", []):
        if by_kind.get(cap["kind"]):
            rank = min(rank, names.index(cap["max_level"]))
            capped_by += by_kind[cap["kind"]]
    return CreditResult(total, names[rank], config.version, dimensions, capped_by)
