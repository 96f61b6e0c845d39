"""Reading a composed YAML node tree field by field, collecting errors with line numbers.

Working on nodes instead of constructed Python objects keeps every value's position and
lets us refuse duplicate mapping keys, which PyYAML would silently overwrite.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import QuestionnaireError

_TAG = "tag:yaml.org,2002:"
_INT = _TAG + "int"
_BOOL = _TAG + "bool"
# Plain scalars YAML resolves to numbers or booleans are still text to us: `equals: yes`
# means the answer "yes", and `text: 10` means "10".
_TEXT_TAGS = frozenset(_TAG + name for name in ("str", "int", "float", "bool"))

_constructor = SafeConstructor()


def compose(path: Path, errors: list[QuestionnaireError]) -> Node | None:
    """The single document of a file, or None after recording why not."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(QuestionnaireError(path, None, f"cannot read the file: {exc}"))
        return None
    return compose_text(text, path, errors)


def compose_text(text: str, path: Path, errors: list[QuestionnaireError]) -> Node | None:
    """The single document of a YAML text; `path` names its source in errors."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        errors.append(QuestionnaireError(path, line, f"YAML syntax: {problem}"))
        return None
    except yaml.YAMLError as exc:
        errors.append(QuestionnaireError(path, None, f"YAML syntax: {exc}"))
        return None
    finally:
        loader.dispose()
    if node is None:
        errors.append(QuestionnaireError(path, None, "the file is empty"))
    return node


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


class NodeReader:
    def __init__(self, path: Path, errors: list[QuestionnaireError]) -> None:
        self.path = path
        self.errors = errors

    def error(self, node: Node, message: str) -> None:
        self.errors.append(QuestionnaireError(self.path, line_of(node), message))

    def fields(
        self, node: Node, what: str, required: Collection[str], allowed: Collection[str]
    ) -> dict[str, Node] | None:
        """A mapping's values by field name; reports duplicates, unknown and missing fields."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping of fields")
            return None
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _TEXT_TAGS:
                self.error(key_node, f"{what}: a field name must be plain text")
                continue
            name = key_node.value
            if name in found:
                first = line_of(found[name])
                self.error(key_node, f"{what}: field '{name}' repeated (first on line {first})")
            elif name not in allowed:
                expected = ", ".join(sorted(allowed))
                self.error(key_node, f"{what}: unknown field '{name}' (expected: {expected})")
            else:
                found[name] = value_node
        for name in required:
            if name not in found:
                self.error(node, f"{what}: missing field '{name}'")
        return found

    def sequence(self, node: Node | None, what: str) -> list[Node] | None:
        if node is None:
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list")
            return None
        return list(node.value)

    def scalar(
        self, node: Node | None, what: str, tags: Collection[str], must_be: str
    ) -> ScalarNode | None:
        """The node when it is a scalar of one of `tags`; None when it is absent or (an error
        said) anything else."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag not in tags:
            self.error(node, f"{what} must be {must_be}")
            return None
        return node

    def text(self, node: Node | None, what: str, *, allow_empty: bool = False) -> str | None:
        scalar = self.scalar(node, what, _TEXT_TAGS, "text")
        if scalar is None:
            return None
        value = str(scalar.value).strip()
        if not value and not allow_empty:
            self.error(scalar, f"{what} must not be empty")
            return None
        return value

    def identifier(self, node: Node | None, what: str, pattern: re.Pattern[str]) -> str | None:
        value = self.text(node, what)
        if value is None or node is None:
            return None
        if not pattern.fullmatch(value):
            self.error(node, f"{what} '{value}' must match {pattern.pattern}")
            return None
        return value

    def integer(self, node: Node | None, what: str) -> int | None:
        scalar = self.scalar(node, what, (_INT,), "a whole number")
        return None if scalar is None else int(_constructor.construct_yaml_int(scalar))

    def boolean(self, node: Node | None, what: str) -> bool | None:
        scalar = self.scalar(node, what, (_BOOL,), "true or false")
        return None if scalar is None else bool(_constructor.construct_yaml_bool(scalar))
