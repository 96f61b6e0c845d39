"""Figures of one question from its grouped answer counts: the database sends (value, count)
pairs, so this never sees more than a few dozen numbers per question."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from surveys.questionnaire.answers import MULTI_SEPARATOR


@dataclass(frozen=True)
class QuestionFigures:
    respondents: int
    mean: float | None  # scale: mean score; yes/no: share of "yes"
    median: float | None  # scale only
    shares: dict[str, float]  # value → share of respondents (choices, yes/no)
    counts: dict[str, int]  # value → answers


def scale_figures(counts: Counter[str]) -> QuestionFigures:
    values = sorted((int(value), n) for value, n in counts.items())
    total = sum(n for _, n in values)
    mean = sum(value * n for value, n in values) / total if total else None
    return QuestionFigures(total, mean, _median(values, total), {}, dict(counts))


def _median(values: list[tuple[int, int]], total: int) -> float | None:
    if not total:
        return None
    positions = ((total - 1) // 2, total // 2)  # the middle one, or the middle two
    found: list[int] = []
    seen = 0
    for value, n in values:
        for position in positions:
            if seen <= position < seen + n:
                found.append(value)
        seen += n
    return sum(found) / len(found)


def choice_figures(counts: Counter[str], multi: bool) -> QuestionFigures:
    """Shares of respondents per choice; for multi-choice a respondent counts once per pick."""
    respondents = sum(counts.values())
    picks: Counter[str] = Counter()
    for value, n in counts.items():
        for key in value.split(MULTI_SEPARATOR) if multi else (value,):
            picks[key] += n
    shares = {key: n / respondents for key, n in picks.items()} if respondents else {}
    return QuestionFigures(respondents, None, None, shares, dict(picks))


def yes_no_figures(counts: Counter[str]) -> QuestionFigures:
    figures = choice_figures(counts, multi=False)
    yes = figures.shares.get("yes", 0.0) if figures.respondents else None
    return QuestionFigures(figures.respondents, yes, None, figures.shares, figures.counts)
