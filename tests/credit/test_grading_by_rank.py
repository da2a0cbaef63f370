"""Company grades by rank band among the active companies (动态排名), with ties, a small cohort and
the thresholds to fall back on; a worker's stars reading the employer's grade and the code's
colour; scoring.toml refused at start-up when its bands or inputs make no sense."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from credit.scoring import (
    NOT_IN_COHORT,
    SCORING_FILE,
    SMALL_COHORT,
    Band,
    Beside,
    CreditResult,
    Standing,
    compute,
    current_config,
    parse_config,
    placed,
)

NOW = datetime(2026, 11, 25, tzinfo=UTC)
SHIPPED = SCORING_FILE.read_text(encoding="utf-8")
SHIPPED_BANDS = 'bands = [[5, "5A"], [15, "4A"], [30, "3A"], [30, "2A"]]'


@dataclass
class Entry:
    id: int
    kind: str
    value: float
    created_at: datetime
    neutralises_id: int | None = None


class Placed:
    """A result graded by rank, its placement and band at hand."""

    def __init__(self, result: CreditResult):
        assert result.placement is not None
        self.level, self.placement, self.capped_by = result.level, result.placement, result.capped_by

    @property
    def band(self) -> Band:
        assert self.placement.band is not None
        return self.placement.band


def config_with(*replacements: tuple[str, str]):
    text = SHIPPED
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return parse_config(text)


def graded(config, scores: Sequence[float]) -> list[Placed]:
    """Each score's grade among all of them, as every company of the cohort would be graded."""
    return [
        Placed(
            placed(
                CreditResult(score, "A", config.version, []),
                "company",
                config,
                Standing(len(scores), sum(1 for other in scores if other > score)),
            )
        )
        for score in scores
    ]


def test_the_shipped_configuration_grades_companies_by_rank_with_placeholder_bands():
    config = current_config()
    assert config.placeholder and config.rank["company"] is not None and config.rank["worker"] is None
    assert "PLACEHOLDER bands" in SHIPPED


def test_a_company_is_graded_by_the_share_of_companies_scoring_strictly_higher_and_ties_share_a_grade():
    config = config_with(("min_cohort = 30", "min_cohort = 10"))
    scores = [95, 90, 90, 80, 70, 60, 50, 40, 30, 20]
    results = graded(config, scores)
    assert [r.level for r in results] == ["5A", "4A", "4A", "3A", "3A", "2A", "2A", "2A", "A", "A"]
    tied = results[1].placement
    assert (tied.percentile, tied.cohort_size, tied.fallback) == (10.0, 10, None)
    assert (results[1].band.level, results[1].band.from_percent, results[1].band.to_percent) == ("4A", 5, 20)
    assert results[2].placement == tied
    assert (results[-1].band.from_percent, results[-1].band.to_percent) == (80, 100)


def test_the_grade_by_rank_does_not_depend_on_the_order_companies_are_listed_in():
    config = config_with(("min_cohort = 30", "min_cohort = 4"))
    scores = [40, 90, 60, 90, 75]
    by_score = {score: r.level for score, r in zip(scores, graded(config, scores), strict=True)}
    assert by_score == {score: r.level for score, r in zip(scores[::-1], graded(config, scores[::-1]), strict=True)}
    assert by_score[90] == "5A"


def test_below_the_minimum_cohort_the_thresholds_grade_and_the_result_says_so():
    config = current_config()  # min_cohort 30
    top, low = graded(config, [95, 60])
    assert (top.level, low.level) == ("5A", "2A")  # the thresholds: 90 and up 5A, 50 to 65 2A
    assert (top.placement.fallback, top.placement.band, top.placement.cohort_size) == (SMALL_COHORT, None, 2)
    assert (top.placement.percentile, low.placement.percentile) == (0.0, 50.0)


def test_a_company_outside_the_cohort_is_graded_by_the_thresholds():
    config = config_with(("min_cohort = 30", "min_cohort = 1"))
    result = Placed(compute("company", [], NOW, config, Beside(), standing=lambda score: None))
    assert result.placement.fallback == NOT_IN_COHORT and result.placement.percentile is None
    assert result.level == "A"  # its score alone (49.5 from the base figures) against the thresholds


def test_a_breach_caps_a_company_at_the_top_of_the_ranking():
    config = config_with(("min_cohort = 30", "min_cohort = 1"))
    breach = Entry(1, "breach", 1.0, NOW)
    result = Placed(compute("company", [breach], NOW, config, standing=lambda score: Standing(5, 0)))
    assert result.band.level == "5A" and result.level == "A"
    assert result.capped_by == [breach]


def test_without_levels_by_a_company_is_graded_by_thresholds_as_before():
    config = config_with(('levels_by = "rank"\n', ""))
    assert config.rank["company"] is None
    result = compute("company", [], NOW, config, standing=lambda score: Standing(100, 0))
    assert result.placement is None and result.level == "A"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (SHIPPED_BANDS, 'bands = [[5, "4A"], [15, "5A"]]', "highest level down"),
        (SHIPPED_BANDS, 'bands = [[5, "5A"], [15, "5A"]]', "highest level down"),
        (SHIPPED_BANDS, 'bands = [[50, "5A"], [60, "4A"]]', "more than 100%"),
        (SHIPPED_BANDS, 'bands = [[5, "6A"]]', "unknown level '6A'"),
        (SHIPPED_BANDS, 'bands = [[0, "5A"]]', "above 0"),
        (SHIPPED_BANDS, "bands = []", "at least one band"),
        ("min_cohort = 30", "min_cohort = 0", "min_cohort"),
        ("min_cohort = 30", 'min_cohort = "30"', "min_cohort"),
        ('levels_by = "rank"', 'levels_by = "percentile"', "levels_by"),
        ("[company.rank]\nmin_cohort = 30\n" + SHIPPED_BANDS, "", r"no \[company.rank\]"),
        ("[worker]\n", '[worker]\nlevels_by = "rank"\n', "companies only"),
        (
            '{ kind = "worker_levels", mode = "mean_of_worker_levels"',
            '{ kind = "worker_levels", mode = "employer_level"',
            "for a worker only",
        ),
        ("green = 0, yellow = -10, red = -40", "green = 0, yellow = -10", "code_colour points must name"),
        ("green = 0, yellow = -10, red = -40", 'green = 0, yellow = -10, red = "bad"', "must be numbers"),
    ],
)
def test_a_configuration_whose_bands_or_inputs_make_no_sense_is_refused_at_start_up(old, new, message):
    with pytest.raises(ValueError, match=message):
        config_with((old, new))


def test_bands_that_add_up_to_100_leave_nothing_to_the_lowest_level():
    config = config_with((SHIPPED_BANDS, 'bands = [[50, "5A"], [50, "4A"]]'))
    assert [band.level for band in config.rank["company"].bands] == ["5A", "4A"]


def _input(result: CreditResult, mode: str):
    return next(i for d in result.dimensions for i in d.inputs if i.mode == mode)


def test_a_worker_scores_more_with_a_better_graded_employer_and_nothing_without_one():
    config = current_config()
    item = next(
        i for d in config.subjects["worker"]["dimensions"] for i in d["inputs"] if i["mode"] == "employer_level"
    )
    scores = {level: compute("worker", [], NOW, config, Beside(employer_level=level)) for level in (1, 3, 5)}
    assert scores[5].score > scores[3].score > scores[1].score
    assert _input(scores[5], "employer_level").contribution == item["points"] * (5 - item["center"])
    assert _input(compute("worker", [], NOW, config), "employer_level").contribution == 0
    assert "employer_grade" not in config.kinds("worker")  # read from the employer, never recorded


def test_a_worker_scores_by_the_colour_of_the_code():
    config = current_config()
    points = next(
        i["points"] for d in config.subjects["worker"]["dimensions"] for i in d["inputs"] if i["mode"] == "code_colour"
    )
    results = {colour: compute("worker", [], NOW, config, Beside(code_colour=colour)) for colour in points}
    assert results["green"].score > results["yellow"].score > results["red"].score
    assert {colour: _input(r, "code_colour").contribution for colour, r in results.items()} == points
    assert _input(compute("worker", [], NOW, config), "code_colour").contribution == 0
