"""Pure rules: names, guardian consent, who may invite whom."""

from __future__ import annotations

import pytest

from surveys.access import Actor, Grant
from surveys.people import (
    Category,
    NameProblem,
    Role,
    full_name_problem,
    needs_guardian_consent,
    normalize_full_name,
)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("Иванова Мария Петровна", None),
        ("  Иванова \n Мария ", None),
        ("O'Brien Anne-Marie", None),
        ("Ли", None),
        ("Я", NameProblem.TOO_SHORT),
        ("Ж" * 121, NameProblem.TOO_LONG),
        ("😀😀", NameProblem.NO_LETTERS),
        ("12345", NameProblem.NO_LETTERS),
        ("Иван 😀", NameProblem.BAD_CHARACTERS),
        ("<b>Иван</b>", NameProblem.BAD_CHARACTERS),
        ("=HYPERLINK(x)", NameProblem.BAD_CHARACTERS),
    ],
)
def test_full_name_rules(raw: str, problem: NameProblem | None) -> None:
    assert full_name_problem(normalize_full_name(raw)) == problem


def test_guardian_consent_is_needed_for_minors_only() -> None:
    assert needs_guardian_consent(Category.STUDENT, None)
    assert needs_guardian_consent(Category.COLLEGE_STUDENT, False)
    assert not needs_guardian_consent(Category.COLLEGE_STUDENT, True)
    assert not needs_guardian_consent(Category.TEACHER, None)


def test_invitation_chain() -> None:
    admin = Actor(telegram_id=1, is_admin=True)
    methodist = Actor(telegram_id=2, person_id=2, grants=(Grant(Role.METHODIST, 10),))
    curator = Actor(telegram_id=3, person_id=3, grants=(Grant(Role.CURATOR, None, 100),))
    assert admin.may_invite_into(Role.METHODIST, None, 10)
    assert not methodist.may_invite_into(Role.METHODIST, None, 10)
    assert methodist.may_invite_into(Role.CURATOR, 100, 10)
    assert not methodist.may_invite_into(Role.CURATOR, 200, 20)  # another district
    assert curator.may_invite_into(Role.MENTEE, 100, 10)
    assert not curator.may_invite_into(Role.MENTEE, 101, 10)  # another school
    assert not curator.may_invite_into(Role.CURATOR, 100, 10)
    assert not Actor(telegram_id=4).can_invite(Role.MENTEE)
    assert methodist.covers_organization(100, 10) and not methodist.covers_organization(200, 20)
