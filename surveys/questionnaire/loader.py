"""Questionnaire files and folders: loading, checking, and the catalogue they make."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import yaml

from .catalogue import Catalogue
from .errors import InvalidQuestionnaire, QuestionnaireError
from .model import Question, QuestionKind, Questionnaire
from .parser import Loaded, parse_file, parse_text

TEMPLATES_DIR: Final = Path(__file__).resolve().parent.parent / "templates"
SUFFIXES: Final = (".yaml", ".yml")


def load_file(path: str | os.PathLike[str]) -> Questionnaire:
    errors: list[QuestionnaireError] = []
    loaded = parse_file(Path(path), errors)
    if errors or loaded is None:
        raise InvalidQuestionnaire(errors)
    return loaded.questionnaire


def load_data(definition: dict[str, Any], source: str = "<snapshot>") -> Questionnaire:
    """A questionnaire from its `to_data()` shape (a stored snapshot), validated exactly
    as a file is: going through YAML text reuses the one parser and its checks."""
    errors: list[QuestionnaireError] = []
    text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
    loaded = parse_text(text, Path(source), errors)
    if errors or loaded is None:
        raise InvalidQuestionnaire(errors)
    return loaded.questionnaire


def check_paths(
    paths: Iterable[str | os.PathLike[str]] | None = None,
) -> list[QuestionnaireError]:
    """Every error in the given files and folders (the shipped templates by default).

    Conflicts between files count too; an empty list means all is well.
    """
    errors: list[QuestionnaireError] = []
    _collect(_expand([TEMPLATES_DIR] if paths is None else paths, errors), errors)
    return errors


def load_catalogue(folder: str | os.PathLike[str] | None = None) -> Catalogue:
    """Every questionnaire in a folder (the shipped templates by default)."""
    errors: list[QuestionnaireError] = []
    catalogue = _collect(_expand([folder or TEMPLATES_DIR], errors), errors)
    if errors:
        raise InvalidQuestionnaire(errors)
    return catalogue


def _expand(
    paths: Iterable[str | os.PathLike[str]], errors: list[QuestionnaireError]
) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(QuestionnaireError(path, None, "no such file or folder"))
    return files


def _collect(files: Sequence[Path], errors: list[QuestionnaireError]) -> Catalogue:
    loaded = [item for path in files if (item := parse_file(path, errors)) is not None]
    unique = _check_catalogue(loaded, errors)
    return Catalogue(item.questionnaire for item in unique)


def _check_catalogue(loaded: Sequence[Loaded], errors: list[QuestionnaireError]) -> list[Loaded]:
    """Conflicts between files; returns the questionnaires that may enter a catalogue."""
    by_version: dict[tuple[str, int], Loaded] = {}
    by_slot: dict[tuple[str, str, str], Loaded] = {}
    shapes: dict[tuple[str, str, str], tuple[Loaded, Question]] = {}
    unique: list[Loaded] = []
    for item in loaded:
        q = item.questionnaire
        first = by_version.get((q.key, q.version))
        if first is not None:
            if first.questionnaire.digest() != q.digest():
                errors.append(
                    _at(
                        item,
                        f"{q.key} version {q.version} is also in {first.path} with "
                        "different content: bump the version of the edited one",
                    )
                )
            continue
        by_version[(q.key, q.version)] = item
        slot = by_slot.setdefault((q.form, q.role, q.moment), item)
        if slot.questionnaire.key != q.key:
            errors.append(
                _at(
                    item,
                    f"{slot.questionnaire.key} in {slot.path} already serves "
                    f"form {q.form}, role {q.role}, moment {q.moment}",
                )
            )
            continue
        if _check_metrics(item, shapes, errors):
            unique.append(item)
    return unique


def _check_metrics(
    item: Loaded,
    shapes: dict[tuple[str, str, str], tuple[Loaded, Question]],
    errors: list[QuestionnaireError],
) -> bool:
    """A metric compares before and after only if both are asked the same way."""
    q = item.questionnaire
    ok = True
    for question in q.questions:
        if question.metric is None:
            continue
        seen = shapes.setdefault((q.form, q.role, question.metric), (item, question))
        other_item, other = seen
        if _shape(other) != _shape(question):
            errors.append(
                _at(
                    item,
                    f"{question.key}: metric '{question.metric}' is asked differently "
                    f"in {other_item.questionnaire.key} ({other.key}): same kind, scale and "
                    "choices needed for a before/after comparison",
                )
            )
            ok = False
    return ok


def _shape(question: Question) -> tuple[object, ...]:
    if question.kind is QuestionKind.SCALE:
        return (question.kind, question.scale_min, question.scale_max)
    return (question.kind, question.choice_keys)


def _at(item: Loaded, message: str) -> QuestionnaireError:
    return QuestionnaireError(item.path, item.line, message)
