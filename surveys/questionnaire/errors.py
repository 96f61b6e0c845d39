"""Errors of questionnaire files, pointing at a file and a line for the person editing it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class QuestionnaireError:
    path: Path
    line: int | None  # 1-based; None when the error concerns the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


class InvalidQuestionnaire(Exception):
    def __init__(self, errors: Iterable[QuestionnaireError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class UnknownQuestionnaire(LookupError):
    """No questionnaire with that key (and version) in the catalogue."""
