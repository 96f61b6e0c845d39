"""Who takes part: roles, participant categories, and the rules for names and grades."""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"  # the regional centre: every district of the region
    METHODIST = "methodist"
    CURATOR = "curator"
    MENTOR = "mentor"
    MENTEE = "mentee"

    @property
    def is_staff(self) -> bool:
        """Staff run programmes; participants (mentors, mentees) answer questionnaires."""
        return self in (Role.ADMIN, Role.COORDINATOR, Role.METHODIST, Role.CURATOR)


# Who may invite whom: the methodology's chain region → district → school → pair.
INVITABLE_BY: dict[Role, tuple[Role, ...]] = {
    Role.ADMIN: (Role.COORDINATOR, Role.METHODIST, Role.CURATOR),
    Role.METHODIST: (Role.CURATOR,),
    Role.CURATOR: (Role.MENTOR, Role.MENTEE),
}


class Category(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    YOUNG_SPECIALIST = "young_specialist"
    COLLEGE_STUDENT = "college_student"
    EMPLOYER = "employer"


MIN_GRADE, MAX_GRADE = 1, 11
NAME_MIN_LETTERS, NAME_MAX_LENGTH = 2, 120


class NameProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    BAD_CHARACTERS = "bad_characters"


def normalize_full_name(raw: str) -> str:
    """Collapse white space; keep the person's own spelling otherwise."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def full_name_problem(name: str) -> NameProblem | None:
    """Why a (normalized) full name cannot be accepted, or None when it can."""
    if len(name) > NAME_MAX_LENGTH:
        return NameProblem.TOO_LONG
    letters = sum(1 for char in name if char.isalpha())
    if letters == 0:
        return NameProblem.NO_LETTERS
    if letters < NAME_MIN_LETTERS:
        return NameProblem.TOO_SHORT
    # Letters, spaces, hyphens, apostrophes and dots cover real names (Д'Артаньян, А.С.);
    # anything else (emoji, digits, markup) is almost surely not a name.
    if any(not (char.isalpha() or char in " -'’.") for char in name):
        return NameProblem.BAD_CHARACTERS
    return None


def needs_guardian_consent(category: Category, adult: bool | None) -> bool:
    """A school student is a minor; a college student only when they say so."""
    if category is Category.STUDENT:
        return True
    if category is Category.COLLEGE_STUDENT:
        return adult is False
    return False


# The version of the consent text (bot/locales: consent.text). Bump it when the text changes,
# so that every person's record says which text they agreed to.
CONSENT_VERSION = "2026-12"
