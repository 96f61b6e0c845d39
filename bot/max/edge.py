"""The MAX edge: one update in, one unit of work, the same use cases and screens as Telegram.

`MaxEdge.handle` is what polling and the webhook both call with a raw update. It marks the
update handled in the update's own transaction (`handle_once("max:…")`), loads who acts
(the person registered from MAX with that user id), routes the update to a use case and
draws what it returns. A refusal of the rules is answered once (a notification on the
pressed button, or a message) after everything the update tried was rolled back; the
conversation state is stored only after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from aiogram.utils.i18n import I18n
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.screens import Msg, Screen
from app.settings import Settings
from app.uow import UnitOfWork
from bot.i18n import pick_locale
from bot.max.client import MaxClient, MaxFailure, Rejected, Transient, Unreachable
from bot.max.jobs import Jobs
from bot.max.screens import Reader, parts
from bot.max.state import State, StateStore
from bot.max.updates import Incoming, Kind, parse
from storage.models import Person, utcnow
from storage.repositories.people import PeopleRepository
from surveys.access import Actor
from surveys.channels import ChannelName
from surveys.errors import DomainError
from surveys.questionnaire import Catalogue

log = logging.getLogger(__name__)
DUPLICATES = metrics.counter(
    "nastavnik_max_duplicate_updates_total", "Redelivered MAX updates skipped"
)


@dataclass(frozen=True)
class Services:
    """What use cases need besides the update: settings, the questionnaires, a session
    factory for work in steps of its own, and the work running in the background."""

    settings: Settings
    catalogue: Catalogue
    session_factory: async_sessionmaker[AsyncSession]
    jobs: Jobs


@dataclass
class Turn:
    """One update being handled: who, where, and the conversation state it may change."""

    incoming: Incoming
    uow: UnitOfWork
    actor: Actor
    person: Person | None
    reader: Reader
    client: MaxClient
    state: State
    services: Services
    changed: bool = False
    answered: bool = field(default=False)

    @property
    def user_id(self) -> int:
        return self.incoming.user_id

    def remember(self, **values: object) -> None:
        for name, value in values.items():
            if value is None:
                self.state.pop(name, None)
            else:
                self.state[name] = value
        self.changed = True

    def forget_conversation(self) -> None:
        self.state.clear()
        self.changed = True

    def text(self, value: Msg | str) -> str:
        from bot import render

        return render.text(self.reader, value)

    async def show(self, *screens: Screen) -> None:
        for screen in screens:
            for part in parts(self.reader, screen):
                await self.client.send(self.user_id, part.text, part.keyboard)

    async def notify(self, notice: Msg | str | None = None) -> None:
        """Answer the press (once), with a one-time notification if there is one."""
        if self.incoming.callback_id is None or self.answered:
            return
        self.answered = True
        text = self.text(notice) if notice is not None else None
        await self.client.answer(
            self.user_id,
            self.incoming.callback_id,
            notification=text,
            text=None if text else (self.incoming.pressed_text or None),
        )


Route = Callable[[Turn], Awaitable[None]]


class MaxEdge:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        client: MaxClient,
        states: StateStore,
        i18n: I18n,
        route: Route,
        services: Services,
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.states = states
        self.i18n = i18n
        self.admin_ids = services.settings.max_admin_ids
        self.route = route
        self.services = services

    async def handle(self, raw: dict[str, object]) -> None:
        incoming = parse(raw)
        if incoming is None or not incoming.dialog:
            return  # group chats and updates we do not answer
        locale = pick_locale(incoming.locale, self.i18n.default_locale)
        reader = Reader(self.i18n, locale)
        async with UnitOfWork(self.session_factory) as uow:
            if not await uow.handle_once(incoming.key):
                DUPLICATES.inc()
                return
            people = PeopleRepository(uow.session)
            actor, person = await people.actor_in(ChannelName.MAX, incoming.user_id, self.admin_ids)
            turn = Turn(
                incoming,
                uow,
                actor,
                person,
                reader,
                self.client,
                await self.states.get(incoming.user_id),
                self.services,
            )
            if person is not None and person.unreachable_at is not None:
                if incoming.kind is not Kind.STOPPED:
                    await uow.write()
                    person.unreachable_at = None  # they came back: the outbox may reach them
            try:
                await self.route(turn)
            except DomainError as error:
                await uow.rollback()
                await self._refused(turn, error)
                return
            except DBAPIError:
                await uow.rollback()
                log.warning("database unavailable", extra={"update_key": incoming.key})
                await self._tell(turn, Msg("production.retry"))
                return
            except Unreachable:
                # They stopped the bot: what was committed stays, the outbox stops trying.
                await uow.rollback()
                await self._unreachable(incoming.user_id)
                return
            except Rejected:
                await uow.rollback()
                log.exception("MAX refused a reply", extra={"update_key": incoming.key})
                return
            except Transient:
                raise  # not handled to the end: MAX hands the update again
            except Exception:
                await uow.rollback()
                log.exception("MAX update failed", extra={"update_key": incoming.key})
                await self._tell(turn, Msg("error.generic"))
                return
            if turn.changed:
                uow.after_commit(partial(self.states.set, incoming.user_id, dict(turn.state)))
            await uow.commit()
            if incoming.callback_id is not None and not turn.answered:
                await turn.notify()

    async def _unreachable(self, user_id: int) -> None:
        async with UnitOfWork(self.session_factory) as uow:
            person = await PeopleRepository(uow.session).by_external_id(ChannelName.MAX, user_id)
            if person is not None and person.unreachable_at is None:
                await uow.write()
                person.unreachable_at = utcnow()
                await uow.commit()

    async def _refused(self, turn: Turn, error: DomainError) -> None:
        """The rules said no: told once, in the reader's language; the conversation left."""
        await self.states.set(turn.user_id, {})
        await self._tell(turn, Msg(error.message_key, error.params))

    async def _tell(self, turn: Turn, message: Msg) -> None:
        try:
            if turn.incoming.callback_id is not None and not turn.answered:
                await turn.notify(message)
            else:
                await turn.show(Screen((message,)))
        except MaxFailure:
            log.warning("could not tell the person", extra={"update_key": turn.incoming.key})


async def mark_unreachable(turn: Turn) -> None:
    """bot_stopped: the person stopped the bot; the outbox stops writing to them."""
    if turn.person is not None and turn.person.unreachable_at is None:
        await turn.uow.write()
        turn.person.unreachable_at = utcnow()
