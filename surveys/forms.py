"""Forms of mentoring: kept as data (forms.yaml) so that a region can add its own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FORMS_FILE = Path(__file__).with_name("forms.yaml")


@dataclass(frozen=True)
class MentoringForm:
    key: str
    labels: dict[str, str]

    def label(self, locale: str) -> str:
        return self.labels.get(locale) or self.labels["ru"]


@cache
def mentoring_forms(path: Path = FORMS_FILE) -> tuple[MentoringForm, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(MentoringForm(key=item["key"], labels=dict(item["label"])) for item in data)


def mentoring_form(key: str) -> MentoringForm | None:
    return next((form for form in mentoring_forms() if form.key == key), None)
