"""What everyone can ask in any state: the menu (/start without a code), the help, and
leaving a conversation (/cancel). Which commands a person has depends on the channel (its
command list and who may use each); the edge passes their names."""

from __future__ import annotations

from collections.abc import Sequence

from app.registration import views
from app.registration.places import roles_of
from app.reply import Reply
from app.screens import Screen
from app.uow import UnitOfWork
from storage.repositories.directory import DirectoryRepository
from storage.repositories.people import PeopleRepository
from surveys.access import Actor


class Home:
    def __init__(self, uow: UnitOfWork, actor: Actor) -> None:
        self.uow = uow
        self.actor = actor

    @property
    def known(self) -> bool:
        return self.actor.person_id is not None or self.actor.is_admin

    async def menu(self, commands: Sequence[str]) -> Reply:
        """The person's name, roles and commands; a stranger is told how to join."""
        if not self.known:
            return Reply((Screen.of("start.stranger"),), step=None)
        name = ""
        if self.actor.person_id is not None:
            person = await PeopleRepository(self.uow.session).get(self.actor.person_id)
            name = person.full_name or "" if person else ""
        roles = await roles_of(DirectoryRepository(self.uow.session), self.actor)
        screen = views.menu(name, roles, views.commands(commands))
        return Reply((screen,), step=None, menu=self.actor)

    def help(self, commands: Sequence[str]) -> Reply:
        return Reply((views.help_screen(self.known, views.commands(commands)),))

    @staticmethod
    def cancel(in_conversation: bool) -> Reply:
        if not in_conversation:
            return Reply((Screen.of("cancel.nothing"),))
        return Reply((Screen.of("cancel.done"),), step=None)
