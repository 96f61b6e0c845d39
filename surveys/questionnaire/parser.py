"""One questionnaire file's schema: from a YAML node tree to the model, errors with lines."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final, TypedDict, TypeVar

from yaml.nodes import Node

from .errors import QuestionnaireError
from .model import (
    CHOICE_KINDS,
    SCALE_MAX,
    SCALE_MIN,
    YES_NO,
    Choice,
    Condition,
    Moment,
    PairRole,
    Question,
    QuestionKind,
    Questionnaire,
)
from .yaml_nodes import NodeReader, compose, compose_text, line_of

# Keys travel in callback data (64 bytes in all), hence the short limits.
QUESTIONNAIRE_KEY: Final = re.compile(r"[a-z0-9_]{1,40}(\.[a-z0-9_]{1,40}){0,3}")
NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
CHOICE_KEY: Final = re.compile(r"[a-z0-9_]{1,24}")  # never ",": it joins multi answers

_TOP_REQUIRED: Final = ("key", "version", "title", "form", "role", "moment", "questions")
_TOP_ALLOWED: Final = (*_TOP_REQUIRED, "form_label", "intro")
_QUESTION_REQUIRED: Final = ("key", "kind", "text")
_QUESTION_COMMON: Final = (*_QUESTION_REQUIRED, "label", "optional", "when", "metric")
_KIND_FIELDS: Final[dict[QuestionKind, tuple[str, ...]]] = {
    QuestionKind.SCALE: ("scale_min", "scale_max"),
    QuestionKind.YES_NO: (),
    QuestionKind.SINGLE_CHOICE: ("choices",),
    QuestionKind.MULTI_CHOICE: ("choices", "min_selections", "max_selections"),
    QuestionKind.TEXT: ("max_length",),
}
_QUESTION_ALLOWED: Final = (
    *_QUESTION_COMMON,
    *sorted({name for names in _KIND_FIELDS.values() for name in names}),
)


EnumT = TypeVar("EnumT", bound=StrEnum)


class _Settings(TypedDict, total=False):
    scale_min: int
    scale_max: int
    choices: tuple[Choice, ...]
    max_length: int
    min_selections: int
    max_selections: int


@dataclass(frozen=True, slots=True)
class Loaded:
    questionnaire: Questionnaire
    path: Path
    line: int  # where the questionnaire's `key` is, for catalogue-level errors


def parse_file(path: Path, errors: list[QuestionnaireError]) -> Loaded | None:
    """The file's questionnaire, or None after adding its errors (in line order) to `errors`."""
    own: list[QuestionnaireError] = []
    root = compose(path, own)
    loaded = None if root is None else _FileParser(NodeReader(path, own)).parse(root)
    errors.extend(sorted(own, key=lambda e: e.line or 0))
    return None if own else loaded


def parse_text(text: str, source: Path, errors: list[QuestionnaireError]) -> Loaded | None:
    """Like parse_file, for a YAML text that did not come from a file (a stored snapshot)."""
    own: list[QuestionnaireError] = []
    root = compose_text(text, source, own)
    loaded = None if root is None else _FileParser(NodeReader(source, own)).parse(root)
    errors.extend(sorted(own, key=lambda e: e.line or 0))
    return None if own else loaded


class _FileParser:
    def __init__(self, reader: NodeReader) -> None:
        self.r = reader

    def parse(self, root: Node) -> Loaded | None:
        r = self.r
        top = r.fields(root, "questionnaire", _TOP_REQUIRED, _TOP_ALLOWED)
        if top is None:
            return None
        key = r.identifier(top.get("key"), "key", QUESTIONNAIRE_KEY)
        version = r.integer(top.get("version"), "version")
        if version is not None and version < 1:
            r.error(top["version"], "version must be a positive whole number")
        title = r.text(top.get("title"), "title")
        form = r.identifier(top.get("form"), "form", NAME)
        form_label = r.text(top.get("form_label"), "form_label") or ""
        role = self._enum(top.get("role"), "role", PairRole)
        moment = self._enum(top.get("moment"), "moment", Moment)
        intro = r.text(top.get("intro"), "intro", allow_empty=True) or ""
        questions = self._questions(top.get("questions"))
        if r.errors or None in (key, version, title, form, role, moment, questions):
            return None
        assert key and version and title and form and role and moment and questions
        questionnaire = Questionnaire(
            key=key,
            version=version,
            title=title,
            form=form,
            role=role,
            moment=moment,
            questions=questions,
            intro=intro,
            form_label=form_label,
        )
        return Loaded(questionnaire, r.path, line_of(top["key"]))

    def _enum(self, node: Node | None, what: str, enum: type[EnumT]) -> EnumT | None:
        value = self.r.text(node, what)
        if value is None or node is None:
            return None
        try:
            return enum(value)
        except ValueError:
            expected = ", ".join(member.value for member in enum)
            self.r.error(node, f"{what} '{value}' is not one of: {expected}")
            return None

    def _questions(self, node: Node | None) -> tuple[Question, ...] | None:
        items = self.r.sequence(node, "questions")
        if items is None or node is None:
            return None
        if not items:
            self.r.error(node, "questions: the list is empty")
            return None
        drafts: list[tuple[Question | None, Node | None]] = []
        positions: dict[str, tuple[int, Node]] = {}
        metrics: dict[str, Node] = {}
        for position, item in enumerate(items):
            question, key, key_node, when = self._question(item, position + 1)
            drafts.append((question, when))
            if key is None or key_node is None:
                continue
            if key in positions:
                first = line_of(positions[key][1])
                self.r.error(key_node, f"duplicate question key '{key}' (first on line {first})")
            else:
                positions[key] = (position, key_node)
            if question is not None and question.metric is not None:
                if question.metric in metrics:
                    first = line_of(metrics[question.metric])
                    self.r.error(
                        key_node, f"metric '{question.metric}' used twice (first on line {first})"
                    )
                metrics.setdefault(question.metric, key_node)
        by_key = {q.key: q for q, _ in drafts if q is not None}
        resolved: list[Question] = []
        for position, (question, when) in enumerate(drafts):
            if question is None:
                continue
            if when is not None:
                condition = self._condition(when, position, positions, by_key)
                question = dataclasses.replace(question, condition=condition)
            resolved.append(question)
        return tuple(resolved) if len(resolved) == len(drafts) else None

    def _question(
        self, node: Node, number: int
    ) -> tuple[Question | None, str | None, Node | None, Node | None]:
        """The question (None if invalid), its key and key node, and its `when` node."""
        r = self.r
        what = f"question {number}"
        f = r.fields(node, what, _QUESTION_REQUIRED, _QUESTION_ALLOWED)
        if f is None:
            return None, None, None, None
        key = r.identifier(f.get("key"), f"{what}: key", NAME)
        if key is not None:
            what = f"question '{key}'"
        kind = self._enum(f.get("kind"), f"{what}: kind", QuestionKind)
        text = r.text(f.get("text"), f"{what}: text")
        label = r.text(f["label"], f"{what}: label") if "label" in f else None
        optional = r.boolean(f.get("optional"), f"{what}: optional")
        metric = r.identifier(f.get("metric"), f"{what}: metric", NAME)
        if kind is None:
            return None, key, f.get("key"), f.get("when")
        for name in f:
            if name not in _QUESTION_COMMON and name not in _KIND_FIELDS[kind]:
                r.error(f[name], f"{what}: field '{name}' does not apply to a {kind} question")
        before = len(r.errors)
        settings = self._kind_settings(f, node, what, kind)
        if key is None or text is None or settings is None or len(r.errors) > before:
            return None, key, f.get("key"), f.get("when")
        question = Question(
            key=key,
            kind=kind,
            text=text,
            label=label,
            optional=bool(optional),
            metric=metric,
            **settings,
        )
        return question, key, f["key"], f.get("when")

    def _kind_settings(
        self, f: dict[str, Node], node: Node, what: str, kind: QuestionKind
    ) -> _Settings | None:
        r = self.r
        settings: _Settings = {}
        if kind is QuestionKind.SCALE:
            low = r.integer(f.get("scale_min"), f"{what}: scale_min")
            high = r.integer(f.get("scale_max"), f"{what}: scale_max")
            if low is not None:
                settings["scale_min"] = low
            if high is not None:
                settings["scale_max"] = high
            low, high = settings.get("scale_min", SCALE_MIN), settings.get("scale_max", SCALE_MAX)
            if low >= high:
                r.error(
                    f.get("scale_min", f.get("scale_max", node)),
                    f"{what}: scale_min ({low}) must be below scale_max ({high})",
                )
        elif kind is QuestionKind.TEXT:
            length = r.integer(f.get("max_length"), f"{what}: max_length")
            if length is not None:
                if length < 1:
                    r.error(f["max_length"], f"{what}: max_length must be at least 1")
                settings["max_length"] = length
        elif kind in CHOICE_KINDS:
            choices = self._choices(f.get("choices"), node, what)
            if choices is None:
                return None
            settings["choices"] = choices
            if kind is QuestionKind.MULTI_CHOICE:
                settings.update(self._selections(f, what, len(choices)))
        return settings

    def _choices(self, node: Node | None, question: Node, what: str) -> tuple[Choice, ...] | None:
        r = self.r
        if node is None:
            r.error(question, f"{what}: missing field 'choices'")
            return None
        items = r.sequence(node, f"{what}: choices")
        if items is None:
            return None
        choices: list[Choice] = []
        seen: dict[str, Node] = {}
        for item in items:
            f = r.fields(item, f"{what}: choice", ("key", "label"), ("key", "label"))
            if f is None:
                continue
            key = r.identifier(f.get("key"), f"{what}: choice key", CHOICE_KEY)
            label = r.text(f.get("label"), f"{what}: choice label")
            if key is None or label is None:
                continue
            if key in seen:
                first = line_of(seen[key])
                r.error(f["key"], f"{what}: duplicate choice key '{key}' (first on line {first})")
                continue
            seen[key] = f["key"]
            choices.append(Choice(key, label))
        if len(items) < 2:
            r.error(node, f"{what}: a choice question needs at least 2 choices")
            return None
        return tuple(choices) if len(choices) == len(items) else None

    def _selections(self, f: dict[str, Node], what: str, count: int) -> _Settings:
        r = self.r
        low = r.integer(f.get("min_selections"), f"{what}: min_selections")
        high = r.integer(f.get("max_selections"), f"{what}: max_selections")
        if low is not None and not 1 <= low <= count:
            r.error(f["min_selections"], f"{what}: min_selections must be 1 to {count}")
        if high is not None and not 1 <= high <= count:
            r.error(f["max_selections"], f"{what}: max_selections must be 1 to {count}")
        if low is not None and high is not None and low > high:
            r.error(f["min_selections"], f"{what}: min_selections is above max_selections")
        settings: _Settings = {}
        if low is not None:
            settings["min_selections"] = low
        if high is not None:
            settings["max_selections"] = high
        return settings

    def _condition(
        self,
        node: Node,
        position: int,
        positions: dict[str, tuple[int, Node]],
        by_key: dict[str, Question],
    ) -> Condition | None:
        r = self.r
        f = r.fields(node, "when", ("question",), ("question", "equals", "in"))
        if f is None:
            return None
        target = r.text(f.get("question"), "when: question")
        if ("equals" in f) == ("in" in f):
            r.error(node, "when: give exactly one of 'equals' or 'in'")
            return None
        if target is None:
            return None
        if target not in positions:
            r.error(f["question"], f"when: unknown question '{target}'")
            return None
        if positions[target][0] >= position:
            r.error(f["question"], f"when: '{target}' is not an earlier question")
            return None
        if target not in by_key:
            return None  # the target itself is invalid and already reported
        value_nodes = [f["equals"]] if "equals" in f else r.sequence(f["in"], "when: in")
        if not value_nodes:
            if value_nodes is not None:
                r.error(f["in"], "when: 'in' needs at least one value")
            return None
        values = [self._condition_value(v, by_key[target]) for v in value_nodes]
        if None in values:
            return None
        return Condition(target, tuple(dict.fromkeys(v for v in values if v is not None)))

    def _condition_value(self, node: Node, target: Question) -> str | None:
        """A value as canonical answer text, or None after reporting why it cannot occur."""
        r = self.r
        raw = r.text(node, "when: value")
        if raw is None:
            return None
        match target.kind:
            case QuestionKind.SCALE:
                try:
                    number = int(raw)
                except ValueError:
                    number = None
                if number is not None and target.scale_min <= number <= target.scale_max:
                    return str(number)
                valid = f"a whole number {target.scale_min} to {target.scale_max}"
            case QuestionKind.YES_NO:
                if raw in YES_NO:
                    return raw
                valid = "yes or no"
            case QuestionKind.SINGLE_CHOICE | QuestionKind.MULTI_CHOICE:
                if raw in target.choice_keys:
                    return raw
                valid = "one of " + ", ".join(target.choice_keys)
            case QuestionKind.TEXT:
                r.error(node, f"when: '{target.key}' is a text question; nothing to compare with")
                return None
        r.error(node, f"when: '{raw}' is not an answer of '{target.key}' (expected {valid})")
        return None
