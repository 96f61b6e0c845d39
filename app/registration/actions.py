"""Buttons of registration and of issuing invitations. The prefixes and fields are those the
buttons already sitting in people's chats carry (aiogram's CallbackData before), so they keep
working."""

from __future__ import annotations

from app.actions import Action, action
from surveys.people import MAX_GRADE, MIN_GRADE, Category


@action("cs")
class GiveConsent(Action):
    agree: bool


@action("ct")
class ChooseCategory(Action):
    category: str

    def __post_init__(self) -> None:
        Category(self.category)  # ValueError for a forged one: a stale button


@action("gr")
class ChooseGrade(Action):
    grade: int

    def __post_init__(self) -> None:
        if not MIN_GRADE <= self.grade <= MAX_GRADE:
            raise ValueError(self.grade)


@action("ad")
class SayAdult(Action):
    adult: bool


@action("gd")
class GuardianConsent(Action):
    given: bool


@action("ir")
class InviteRole(Action):
    """Whom to invite: a role by its value; the use case checks the presser may."""

    role: str


@action("ip")
class InviteInto(Action):
    """A municipality (for a methodist) or an organization (for the others) by id."""

    role: str
    target: int


@action("pg")
class InvitePage(Action):
    """A page of the list of municipalities or organizations to invite into."""

    role: str
    page: int
