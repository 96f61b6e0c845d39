"""Catalogue keys the export code builds at run time (f-strings), for the catalogue test."""

from __future__ import annotations

from app.export.build import KINDS
from surveys.questionnaire import Moment, QuestionKind

ROLES = ("mentor", "mentee")
PAIR_STATUSES = ("active", "completed", "dissolved")
STAGES = ("summary", "indicators", "questionnaires", "feedback", "register", "saving")


def export_dynamic_keys() -> set[str]:
    keys = {f"export.moment.{moment.value}" for moment in Moment}
    keys |= {f"export.kind.{kind.value}" for kind in QuestionKind if kind is not QuestionKind.TEXT}
    keys |= {f"export.pair_status.{status}" for status in PAIR_STATUSES}
    keys |= {f"export.stage.{stage}" for stage in STAGES}
    keys |= {f"report.kind.{kind}" for kind in KINDS} | {"report.stage.writing"}
    for role in ROLES:
        keys |= {f"export.col.q_{what}_{role}s" for what in ("n", "mean", "median", "distribution")}
    return keys
