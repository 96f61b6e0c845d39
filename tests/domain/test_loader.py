from __future__ import annotations

from pathlib import Path

import pytest

from surveys import people
from surveys.questionnaire import (
    TEMPLATES_DIR,
    Condition,
    InvalidQuestionnaire,
    QuestionKind,
    UnknownQuestionnaire,
    check_paths,
    load_catalogue,
    load_file,
)

VALID = """\
key: demo.mentee.start
version: 1
title: Демо
form: demo
role: mentee
moment: start
questions:
  - key: met_before
    kind: yes_no
    text: Сталкивались ли Вы раньше с программой наставничества?
  - key: where
    kind: text
    text: Если да, то где?
    optional: true
    when: {question: met_before, equals: yes}
  - key: score
    kind: scale
    text: Эффективность программы наставничества
  - key: goal
    kind: single_choice
    text: Цель
    choices:
      - {key: grades, label: Успеваемость}
      - {key: other, label: Другое}
"""


def write(folder: Path, text: str, name: str = "q.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_in(folder: Path, text: str) -> list[tuple[int | None, str]]:
    return [(e.line, e.message) for e in check_paths([write(folder, text)])]


def assert_reported(errors: list[tuple[int | None, str]], line: int | None, fragment: str):
    assert any(at == line and fragment in message for at, message in errors), errors


def head(count: int) -> str:
    return "\n".join(VALID.splitlines()[:count]) + "\n"


def replace_line(number: int, new: str) -> str:
    lines = VALID.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def insert_after(number: int, new: str) -> str:
    lines = VALID.splitlines()
    lines.insert(number, new)
    return "\n".join(lines) + "\n"


# --- the shipped templates -------------------------------------------------------------


def test_every_shipped_template_passes_the_check():
    assert check_paths() == check_paths([TEMPLATES_DIR]) == []


def test_default_catalogue_holds_every_template():
    catalogue = load_catalogue()
    assert len(catalogue) == len(list(TEMPLATES_DIR.glob("*.yaml"))) == 36  # 6 forms × 2 roles × 3
    for questionnaire in catalogue.all():
        path = TEMPLATES_DIR / f"{questionnaire.key}.yaml"
        assert load_file(path) == questionnaire


def test_catalogue_queries():
    catalogue = load_catalogue()
    q = catalogue.for_("teacher_teacher", "mentee", "completion")
    assert q is not None and q.key == "teacher_teacher.mentee.completion"
    assert catalogue.get(q.key, 2) is q
    assert catalogue.latest(q.key) is q
    assert catalogue.versions(q.key) == (2,)
    assert catalogue.for_("teacher_teacher", "curator", "completion") is None
    # A person's role from surveys.people serves as well: both are the same strings.
    assert catalogue.for_("teacher_teacher", people.Role.MENTEE, "completion") is q
    with pytest.raises(UnknownQuestionnaire):
        catalogue.get(q.key, 1)
    with pytest.raises(UnknownQuestionnaire):
        catalogue.latest("nothing")


# --- a valid file --------------------------------------------------------------------


def test_valid_file_loads(tmp_path):
    q = load_file(write(tmp_path, VALID))
    assert q.key == "demo.mentee.start" and q.version == 1
    assert q.question("where").condition == Condition("met_before", ("yes",))
    assert q.question("goal").kind is QuestionKind.SINGLE_CHOICE
    assert q.question("goal").choice_keys == ("grades", "other")
    assert q.question("score").scale_max == 10


def test_latest_version_wins_and_old_versions_stay(tmp_path):
    write(tmp_path, VALID, "v1.yaml")
    write(tmp_path, VALID.replace("version: 1", "version: 2").replace("Демо", "Демо 2"), "v2.yml")
    catalogue = load_catalogue(tmp_path)
    assert catalogue.latest("demo.mentee.start").version == 2
    assert catalogue.get("demo.mentee.start", 1).title == "Демо"
    assert catalogue.for_("demo", "mentee", "start") == catalogue.get("demo.mentee.start", 2)


def test_identical_copies_are_accepted(tmp_path):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, "# a copy\n" + VALID, "b.yaml")
    assert len(load_catalogue(tmp_path)) == 1


# --- errors with their lines -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (insert_after(6, "colour: red"), 7, "unknown field 'colour'"),
        (replace_line(3, "subtitle: Демо"), 3, "unknown field 'subtitle'"),
        (replace_line(3, "subtitle: Демо"), 1, "missing field 'title'"),
        (insert_after(10, "    colour: red"), 11, "unknown field 'colour'"),
        (replace_line(10, "    hint: x"), 8, "missing field 'text'"),
        (insert_after(10, "    text: again"), 11, "field 'text' repeated (first on line 10)"),
        (insert_after(6, "role: mentor"), 7, "field 'role' repeated"),
        (replace_line(11, "  - key: met_before"), 11, "duplicate question key 'met_before'"),
        (replace_line(9, "    kind: rating"), 9, "kind 'rating' is not one of"),
        (replace_line(5, "role: curator"), 5, "role 'curator' is not one of"),
        (replace_line(6, "moment: middle"), 6, "moment 'middle' is not one of"),
        (replace_line(2, "version: 0"), 2, "positive whole number"),
        (replace_line(2, "version: -3"), 2, "positive whole number"),
        (replace_line(2, "version: one"), 2, "version must be a whole number"),
        (replace_line(2, "version: '1'"), 2, "version must be a whole number"),
        (replace_line(2, "version: 1.5"), 2, "version must be a whole number"),
        (replace_line(2, "version: true"), 2, "version must be a whole number"),
        (replace_line(1, "key: Demo Key"), 1, "key 'Demo Key' must match"),
        (replace_line(3, "title: ''"), 3, "title must not be empty"),
        (replace_line(3, "title: ~"), 3, "title must be text"),
        (replace_line(14, "    optional: maybe"), 14, "optional must be true or false"),
        (head(6) + "questions: []\n", 7, "the list is empty"),
        (head(6) + "questions: none\n", 7, "questions must be a list"),
    ],
)
def test_structure_errors_point_at_their_line(tmp_path, text, line, fragment):
    assert_reported(errors_in(tmp_path, text), line, fragment)


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        ("{question: nowhere, equals: yes}", "unknown question 'nowhere'"),
        ("{question: score, equals: 3}", "'score' is not an earlier question"),
        ("{question: where, equals: x}", "'where' is not an earlier question"),
        ("{question: met_before, equals: maybe}", "'maybe' is not an answer of 'met_before'"),
        ("{question: met_before, in: [yes, да]}", "'да' is not an answer of 'met_before'"),
        ("{question: met_before}", "exactly one of 'equals' or 'in'"),
        ("{question: met_before, equals: yes, in: [no]}", "exactly one of 'equals' or 'in'"),
        ("{question: met_before, in: []}", "'in' needs at least one value"),
        ("{question: met_before, equals: yes, also: 1}", "unknown field 'also'"),
    ],
)
def test_condition_errors_point_at_the_when_line(tmp_path, when, fragment):
    assert_reported(errors_in(tmp_path, replace_line(15, f"    when: {when}")), 15, fragment)


def test_condition_values_are_checked_against_the_target_question(tmp_path):
    text = VALID + (
        "  - key: why\n"  # line 25
        "    kind: text\n"
        "    text: Почему?\n"
        "    when: {question: score, in: [1, 2, 11]}\n"  # line 28
        "  - key: more\n"
        "    kind: text\n"
        "    text: Ещё?\n"
        "    when: {question: goal, equals: sport}\n"  # line 32
        "  - key: echo\n"
        "    kind: text\n"
        "    text: Эхо?\n"
        "    when: {question: where, equals: школа}\n"  # line 36
    )
    errors = errors_in(tmp_path, text)
    assert_reported(
        errors, 28, "'11' is not an answer of 'score' (expected a whole number 1 to 10)"
    )
    assert_reported(errors, 32, "'sport' is not an answer of 'goal' (expected one of grades, other")
    assert_reported(errors, 36, "'where' is a text question")
    assert len(errors) == 3


def test_condition_on_scale_and_choices_loads_canonically(tmp_path):
    text = VALID + (
        "  - key: why\n"
        "    kind: text\n"
        "    text: Почему?\n"
        "    when: {question: score, in: [1, '2', 2]}\n"
    )
    q = load_file(write(tmp_path, text))
    assert q.question("why").condition == Condition("score", ("1", "2"))


@pytest.mark.parametrize(
    ("extra", "line", "fragment"),
    [
        ("    scale_min: 5\n    scale_max: 5\n", 19, "scale_min (5) must be below scale_max (5)"),
        ("    scale_min: 11\n", 19, "scale_min (11) must be below scale_max (10)"),
        ("    scale_max: 1\n", 19, "scale_min (1) must be below scale_max (1)"),
        ("    max_length: 10\n", 19, "field 'max_length' does not apply to a scale question"),
        ("    metric: Bad-Id\n", 19, "metric 'Bad-Id' must match"),
    ],
)
def test_scale_errors(tmp_path, extra, line, fragment):
    text = insert_after(18, extra.rstrip("\n"))
    assert_reported(errors_in(tmp_path, text), line, fragment)


@pytest.mark.parametrize(
    ("choices", "line", "fragment"),
    [
        ("      - {key: grades, label: Успеваемость}", 23, "at least 2 choices"),
        (
            "      - {key: grades, label: А}\n      - {key: grades, label: Б}",
            24,
            "duplicate choice key 'grades' (first on line 23)",
        ),
        ("      - {key: grades}\n      - {key: other, label: Б}", 23, "missing field 'label'"),
        ("      - {key: 'a,b', label: А}\n      - {key: b, label: Б}", 23, "must match"),
        ("      - just text\n      - {key: b, label: Б}", 23, "choice must be a mapping"),
    ],
)
def test_choice_errors(tmp_path, choices, line, fragment):
    assert_reported(errors_in(tmp_path, head(22) + choices + "\n"), line, fragment)


def test_choice_question_without_choices(tmp_path):
    assert_reported(errors_in(tmp_path, head(21)), 19, "missing field 'choices'")


@pytest.mark.parametrize(
    ("settings", "line", "fragment"),
    [
        ("    min_selections: 3", 25, "min_selections must be 1 to 2"),
        ("    max_selections: 0", 25, "max_selections must be 1 to 2"),
        ("    min_selections: 2\n    max_selections: 1", 25, "above max_selections"),
    ],
)
def test_multi_choice_errors(tmp_path, settings, line, fragment):
    multi = VALID.replace("kind: single_choice", "kind: multi_choice")
    assert_reported(errors_in(tmp_path, multi + settings + "\n"), line, fragment)


def test_text_length_must_be_positive(tmp_path):
    text = insert_after(13, "    max_length: 0")
    assert_reported(errors_in(tmp_path, text), 14, "max_length must be at least 1")


def test_metric_used_twice(tmp_path):
    text = insert_after(10, "    metric: m").replace(
        "    text: Эффективность программы наставничества",
        "    text: Эффективность программы наставничества\n    metric: m",
    )
    assert_reported(errors_in(tmp_path, text), 17, "metric 'm' used twice (first on line 8)")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("key: [unclosed\n", 2, "YAML syntax"),
        ("key: a\n  bad: indent\n", 2, "YAML syntax"),
        ("key: a\n---\nkey: b\n", 2, "YAML syntax: expected a single document"),
        ("", None, "the file is empty"),
        ("# only a comment\n", None, "the file is empty"),
        ("- key: a\n", 1, "questionnaire must be a mapping"),
        ("key: *anchor\n", 1, "YAML syntax"),
    ],
)
def test_file_level_errors(tmp_path, text, line, fragment):
    assert_reported(errors_in(tmp_path, text), line, fragment)


def test_many_errors_are_reported_at_once_in_line_order(tmp_path):
    text = replace_line(5, "role: curator").replace("kind: scale", "kind: rating")
    errors = check_paths([write(tmp_path, text)])
    assert [e.line for e in errors] == [5, 17]
    assert str(errors[0]).startswith(f"{tmp_path / 'q.yaml'}:5: role 'curator'")


def test_load_file_raises_with_every_error(tmp_path):
    path = write(tmp_path, replace_line(2, "version: 0"))
    with pytest.raises(InvalidQuestionnaire) as caught:
        load_file(path)
    assert [(e.path, e.line) for e in caught.value.errors] == [(path, 2)]
    assert "q.yaml:2: version must be a positive whole number" in str(caught.value)


def test_check_paths_reports_missing_paths_and_walks_folders(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", replace_line(2, "version: 0"), "bad.yaml")
    write(tmp_path / "sub", "not: a questionnaire\n", "notes.txt")  # ignored: not .yaml
    errors = check_paths([tmp_path / "sub", tmp_path / "absent.yaml"])
    assert [(e.path.name, e.line) for e in errors] == [("absent.yaml", None), ("bad.yaml", 2)]


# --- conflicts between files -----------------------------------------------------------


def test_same_version_with_different_content_is_an_error(tmp_path):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID.replace("Демо", "Демо (правка)"), "b.yaml")
    with pytest.raises(InvalidQuestionnaire) as caught:
        load_catalogue(tmp_path)
    (error,) = caught.value.errors
    assert error.path.name == "b.yaml" and error.line == 1
    assert "bump the version" in error.message


def test_two_keys_for_one_form_role_and_moment_is_an_error(tmp_path):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID.replace("key: demo.mentee.start", "key: other.key"), "b.yaml")
    errors = check_paths([tmp_path])
    assert [(e.path.name, e.line) for e in errors] == [("b.yaml", 1)]
    assert "already serves form demo, role mentee, moment start" in errors[0].message


def test_a_metric_must_be_asked_the_same_way_before_and_after(tmp_path):
    start = VALID.replace(
        "    text: Эффективность программы наставничества",
        "    text: Эффективность программы наставничества\n    metric: effectiveness",
    )
    completion = start.replace("moment: start", "moment: completion").replace(
        "demo.mentee.start", "demo.mentee.completion"
    )
    write(tmp_path, start, "a.yaml")
    write(tmp_path, completion, "b.yaml")
    assert check_paths([tmp_path]) == []
    write(tmp_path, completion.replace("kind: scale", "kind: yes_no"), "b.yaml")
    errors = check_paths([tmp_path])
    assert len(errors) == 1 and "metric 'effectiveness' is asked differently" in errors[0].message


def test_load_catalogue_of_an_empty_folder(tmp_path):
    assert load_catalogue(tmp_path).all() == ()
