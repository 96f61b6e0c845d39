"""/pairs: a programme's pairs and groups: form them (from the roster or by picking
people), open one, complete it (completion questionnaires) or dissolve one that never
started; and completing a whole programme."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from bot.telegram.commands import CommandAllowed
from bot.telegram.curator import keyboards
from bot.telegram.curator.callbacks import MemberCb, PairCb, PickCb, ProgrammeCb
from bot.telegram.curator.questionnaires import send_questionnaires
from bot.telegram.screens import drop_buttons, reply
from storage.repositories.invites import ScopeDenied
from storage.repositories.pairs import PairRefused, PairRepository
from storage.repositories.programmes import ProgrammeRepository
from storage.repositories.roster import RosterRepository
from surveys.access import Actor
from surveys.people import Role
from surveys.questionnaire import Catalogue, Moment
from surveys.statuses import ProgrammeStatus

# Buttons per picking screen; a school's registered mentors or mentees fit in this.
PICK_LIMIT = 50
MEMBER_ACTIONS = ("add", "remove")


class PairForming(StatesGroup):
    mentor = State()
    mentees = State()


async def pairs_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor
) -> None:
    await state.clear()
    programmes = await ProgrammeRepository(session).of_curator(actor)
    text = _("curator.pair.pick_programme") if programmes else _("curator.programme.none")
    await message.answer(text, reply_markup=keyboards.programme_list(programmes, action="pairs"))


async def list_pairs(
    query: CallbackQuery, callback_data: ProgrammeCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        pairs = await PairRepository(session).of_programme(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    text = _("curator.pair.list") if pairs else _("curator.pair.none")
    await reply(query, text, keyboards.pair_list(pairs))


async def form_from_roster(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    try:
        groups = await RosterRepository(session).ready_groups(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    formed: list[str] = []
    refused = 0
    pairs = PairRepository(session)
    for group in groups:
        try:
            # form() checks everything before it writes, so a refusal leaves nothing behind.
            pair = await pairs.form(
                actor,
                callback_data.programme,
                group.mentor_id,
                group.mentee_ids,
                number=group.pair_number,
            )
        except PairRefused:
            refused += 1  # e.g. a mentee already paired elsewhere: the curator decides
            continue
        await send_questionnaires(
            session, i18n, catalogue, pair.id, Moment.START, settings.start_due_days
        )
        formed.append(str(pair.number))
    if not formed:
        await reply(query, _("curator.pair.roster_none").format(refused=refused))
        return
    await reply(
        query,
        _("curator.pair.roster_formed").format(
            count=len(formed), numbers=", ".join(formed), refused=refused
        ),
    )


async def start_forming(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    try:
        mentors = await PairRepository(session).candidates(
            actor, callback_data.programme, Role.MENTOR
        )
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    if not mentors:
        await reply(query, _("curator.pair.no_candidates"))
        return
    await state.clear()
    await state.set_state(PairForming.mentor)
    await state.update_data(programme_id=callback_data.programme, mentees=[])
    await reply(
        query,
        _("curator.pair.ask_mentor"),
        keyboards.people("mentor", mentors[:PICK_LIMIT], frozenset()),
    )


async def mentor_picked(
    query: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    data = await state.get_data()
    pairs = PairRepository(session)
    try:
        mentors = await pairs.candidates(actor, int(data["programme_id"]), Role.MENTOR)
        mentees = await pairs.candidates(actor, int(data["programme_id"]), Role.MENTEE)
    except ScopeDenied:
        await state.clear()
        await query.answer(_("curator.denied"), show_alert=True)
        return
    if callback_data.step != "mentor" or callback_data.person not in {p.id for p in mentors}:
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    await drop_buttons(query)
    mentees = [person for person in mentees if person.id != callback_data.person]
    if not mentees:
        await state.clear()
        await reply(query, _("curator.pair.no_candidates"))
        return
    await state.update_data(mentor_id=callback_data.person, mentees=[])
    await state.set_state(PairForming.mentees)
    await reply(
        query,
        _("curator.pair.ask_mentees"),
        keyboards.people("mentee", mentees[:PICK_LIMIT], frozenset()),
    )


async def mentee_toggled(
    query: CallbackQuery,
    callback_data: PickCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    data = await state.get_data()
    programme_id = int(data["programme_id"])
    chosen = set(data.get("mentees", []))
    if callback_data.step == "done":
        await _finish_forming(query, state, session, actor, i18n, catalogue, settings, chosen)
        return
    try:
        mentees = await PairRepository(session).candidates(actor, programme_id, Role.MENTEE)
    except ScopeDenied:
        await state.clear()
        await query.answer(_("curator.denied"), show_alert=True)
        return
    mentees = [person for person in mentees if person.id != data.get("mentor_id")]
    if callback_data.step != "mentee" or callback_data.person not in {p.id for p in mentees}:
        await query.answer(_("fallback.stale_button"))
        return
    await query.answer()
    chosen ^= {callback_data.person}
    await state.update_data(mentees=sorted(chosen))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=keyboards.people("mentee", mentees[:PICK_LIMIT], frozenset(chosen))
        )


async def _finish_forming(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
    chosen: set[int],
) -> None:
    if not chosen:
        await query.answer(_("curator.pair.problem.no_mentees"), show_alert=True)
        return
    await query.answer()
    data = await state.get_data()
    try:
        pair = await PairRepository(session).form(
            actor, int(data["programme_id"]), int(data["mentor_id"]), sorted(chosen)
        )
    except ScopeDenied:
        await state.clear()
        await reply(query, _("curator.denied"))
        return
    except PairRefused as refused:
        await reply(query, _(f"curator.pair.problem.{refused.problem.value}"))
        return
    await state.clear()
    await drop_buttons(query)
    await send_questionnaires(
        session, i18n, catalogue, pair.id, Moment.START, settings.start_due_days
    )
    await reply(query, _("curator.pair.formed").format(number=pair.number))


async def open_pair(
    query: CallbackQuery, callback_data: PairCb, session: AsyncSession, actor: Actor
) -> None:
    pairs = PairRepository(session)
    try:
        pair, programme = await pairs.to_change(actor, callback_data.pair)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    lines = [
        f"• {_(f'role.{member.role}')}: {person.full_name or _('curator.status.forgotten')}"
        for member, person in await pairs.members(pair.id)
    ]
    text = _("curator.pair.card").format(
        number=pair.number,
        programme=programme.title,
        status=_(f"curator.pair.status.{pair.status}"),
        members="\n".join(lines),
    )
    await reply(query, text, keyboards.pair_actions(pair))


async def ask_complete_pair(
    query: CallbackQuery, callback_data: PairCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        pair, _programme = await PairRepository(session).to_change(actor, callback_data.pair)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    await reply(
        query,
        _("curator.pair.confirm_complete").format(number=pair.number),
        keyboards.confirm_pair(pair.id),
    )


async def complete_pair(
    query: CallbackQuery,
    callback_data: PairCb,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    try:
        pair = await PairRepository(session).complete(actor, callback_data.pair)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    except PairRefused as refused:
        await query.answer(_(f"curator.pair.problem.{refused.problem.value}"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    queued = await send_questionnaires(
        session, i18n, catalogue, pair.id, Moment.COMPLETION, settings.completion_due_days
    )
    await reply(
        query,
        _("curator.pair.completed").format(
            number=pair.number, queued=queued, days=settings.completion_due_days
        ),
    )


async def dissolve_pair(
    query: CallbackQuery, callback_data: PairCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        pair = await PairRepository(session).dissolve(actor, callback_data.pair)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    except PairRefused as refused:
        await query.answer(_(f"curator.pair.problem.{refused.problem.value}"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    await reply(query, _("curator.pair.dissolved").format(number=pair.number))


async def ask_complete_programme(
    query: CallbackQuery, callback_data: ProgrammeCb, session: AsyncSession, actor: Actor
) -> None:
    try:
        programme = await ProgrammeRepository(session).to_change(actor, callback_data.programme)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    await reply(
        query,
        _("curator.programme.confirm_complete").format(title=programme.title),
        keyboards.confirm_programme(programme.id),
    )


async def complete_programme(
    query: CallbackQuery,
    callback_data: ProgrammeCb,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    programmes = ProgrammeRepository(session)
    pairs = PairRepository(session)
    try:
        programme = await programmes.to_change(actor, callback_data.programme)
        active = await pairs.active_of_programme(actor, programme.id)
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    if programme.status == ProgrammeStatus.COMPLETED:
        await query.answer(_("curator.programme.already_completed"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    queued = 0
    for pair in active:
        await pairs.complete(actor, pair.id)
        queued += await send_questionnaires(
            session, i18n, catalogue, pair.id, Moment.COMPLETION, settings.completion_due_days
        )
    await programmes.mark_completed(actor, programme.id)
    await reply(
        query,
        _("curator.programme.completed").format(
            title=programme.title,
            pairs=len(active),
            queued=queued,
            days=settings.completion_due_days,
        ),
    )


async def ask_member(
    query: CallbackQuery, callback_data: PairCb, session: AsyncSession, actor: Actor
) -> None:
    """The people who can be added to the pair, or its mentees to remove one."""
    pairs = PairRepository(session)
    try:
        if callback_data.action == "add":
            people = await pairs.free_mentees(actor, callback_data.pair)
        else:
            people = [
                person
                for member, person in await pairs.members(
                    (await pairs.to_change(actor, callback_data.pair))[0].id
                )
                if member.role == Role.MENTEE.value
            ]
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    await query.answer()
    if not people:
        await reply(query, _("curator.pair.no_candidates"))
        return
    await reply(
        query,
        _(f"curator.pair.ask.{callback_data.action}"),
        keyboards.members(callback_data.action, callback_data.pair, people[:PICK_LIMIT]),
    )


async def member_chosen(
    query: CallbackQuery,
    callback_data: MemberCb,
    session: AsyncSession,
    actor: Actor,
    i18n: I18n,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    pairs = PairRepository(session)
    try:
        if callback_data.action == "add":
            pair = await pairs.add_mentee(actor, callback_data.pair, callback_data.person)
        elif callback_data.action == "remove":
            pair = await pairs.remove_mentee(actor, callback_data.pair, callback_data.person)
        else:
            await query.answer(_("fallback.stale_button"))
            return
    except ScopeDenied:
        await query.answer(_("curator.denied"), show_alert=True)
        return
    except PairRefused as refused:
        await query.answer(_(f"curator.pair.problem.{refused.problem.value}"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(query)
    if callback_data.action == "add":
        # Idempotent: only the newcomer gets the starting questionnaire.
        await send_questionnaires(
            session, i18n, catalogue, pair.id, Moment.START, settings.start_due_days
        )
    await reply(query, _(f"curator.pair.changed.{callback_data.action}").format(number=pair.number))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(pairs_command, Command("pairs"), CommandAllowed("pairs"))
    router.callback_query.register(list_pairs, ProgrammeCb.filter(F.action == "pairs"))
    router.callback_query.register(form_from_roster, ProgrammeCb.filter(F.action == "form_roster"))
    router.callback_query.register(start_forming, ProgrammeCb.filter(F.action == "new_pair"))
    router.callback_query.register(mentor_picked, StateFilter(PairForming.mentor), PickCb.filter())
    router.callback_query.register(
        mentee_toggled, StateFilter(PairForming.mentees), PickCb.filter()
    )
    router.callback_query.register(open_pair, PairCb.filter(F.action == "open"))
    router.callback_query.register(ask_complete_pair, PairCb.filter(F.action == "complete"))
    router.callback_query.register(complete_pair, PairCb.filter(F.action == "complete_yes"))
    router.callback_query.register(dissolve_pair, PairCb.filter(F.action == "dissolve"))
    router.callback_query.register(ask_member, PairCb.filter(F.action.in_(MEMBER_ACTIONS)))
    router.callback_query.register(member_chosen, MemberCb.filter())
    router.callback_query.register(
        ask_complete_programme, ProgrammeCb.filter(F.action == "complete")
    )
    router.callback_query.register(
        complete_programme, ProgrammeCb.filter(F.action == "complete_yes")
    )
    return router
