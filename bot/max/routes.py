"""What each MAX update asks for, and the module that answers it with the same use case
the Telegram bot calls: joining, the menu, invitations and /forget (bot/max/people.py),
questionnaires (bot/max/survey.py), the curator's, methodist's and administrator's screens
(bot/max/curator.py), /export (bot/max/export.py), /rounds and the curator's check-in
(bot/max/monitoring.py).

A conversation in progress (registration, a curator's typed step, export dates) takes the
text first; commands work in any state.
"""

from __future__ import annotations

from app.actions import unpack
from app.privacy.actions import Withdraw
from app.screens import Msg, Screen
from bot.max import curator, export, monitoring, people, survey
from bot.max.edge import Turn, mark_unreachable
from bot.max.updates import Kind
from surveys.people import Role

PARTICIPANTS = frozenset({Role.MENTOR, Role.MENTEE})
CURATORS = frozenset({Role.CURATOR})
OVERSEERS = frozenset({Role.ADMIN, Role.METHODIST, Role.CURATOR})
# Who sees figures: the overseers and the regional coordinator (who invites nobody).
VIEWERS = OVERSEERS | {Role.COORDINATOR}
# Who opens and closes monitoring rounds: a district's methodist, the region's coordinator.
ROUND_KEEPERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.METHODIST})
REGISTERED: frozenset[Role] = frozenset()
# The commands MAX offers, in the order of the help, and who may use each (None: everyone;
# REGISTERED: every registered person) — the same audiences as the Telegram menu.
COMMANDS: dict[str, frozenset[Role] | None] = {
    "start": None,
    "help": None,
    "survey": PARTICIPANTS,
    "programmes": CURATORS,
    "pairs": CURATORS,
    "template": CURATORS,
    "status": VIEWERS,
    "export": VIEWERS,
    "rounds": ROUND_KEEPERS,
    "invite": OVERSEERS,
    "cancel": None,
    "forget": REGISTERED,
}


def allowed(turn: Turn, name: str) -> bool:
    if name not in COMMANDS:
        return False
    roles = COMMANDS[name]
    if roles is None:
        return True
    if not roles:
        return turn.actor.person_id is not None
    return bool(roles & turn.actor.roles)


def commands(turn: Turn) -> list[str]:
    return [name for name in COMMANDS if allowed(turn, name)]


async def route(turn: Turn) -> None:
    incoming = turn.incoming
    match incoming.kind:
        case Kind.STOPPED:
            await mark_unreachable(turn)
        case Kind.STARTED:
            await people.start(turn, (incoming.text or "").strip(), commands(turn))
        case Kind.PRESS:
            await pressed(turn)
        case Kind.MESSAGE if incoming.files:
            await sent_file(turn)
        case Kind.MESSAGE:
            await typed(turn, (incoming.text or "").strip())


async def sent_file(turn: Turn) -> None:
    if people.waiting(turn):
        await people.not_text(turn)
    elif curator.waiting(turn) or allowed(turn, "template"):
        await curator.sent_file(turn, turn.incoming.files[0])
    else:
        await turn.show(Screen.of("fallback.stray"))


async def typed(turn: Turn, text: str) -> None:
    if text.startswith("/"):
        name, _, rest = text[1:].partition(" ")
        await command(turn, name.lower(), rest.strip())
    elif not text:
        await turn.show(Screen.of("fallback.stray"))
    elif people.waiting(turn):
        await people.typed(turn, text)
    elif curator.waiting(turn):
        await curator.typed(turn, text)
    elif monitoring.waiting(turn):
        await monitoring.typed(turn, text)
    elif export.waiting(turn):
        await export.typed(turn, text)
    elif turn.actor.person_id is not None:
        await survey.typed(turn, text)
    else:
        await turn.show(Screen.of("help.stranger"))


async def command(turn: Turn, name: str, argument: str) -> None:
    if name not in COMMANDS:
        await turn.show(Screen.of("fallback.unknown_command"))
        return
    if not allowed(turn, name):
        await turn.show(Screen.of("access.denied"))
        return
    match name:
        case "start":
            await people.start(turn, argument, commands(turn))
        case "help":
            await people.help(turn, commands(turn))
        case "cancel":
            await people.cancel(turn)
        case "survey":
            await survey.overview(turn)
        case "export":
            await export.command(turn)
        case "invite":
            await people.invite(turn)
        case "forget":
            await people.forget_ask(turn)
        case "rounds":
            await monitoring.command(turn)
        case _:
            await curator.command(turn, name)


async def pressed(turn: Turn) -> None:
    action = unpack(turn.incoming.text)
    if isinstance(action, people.JOINING_ACTIONS):
        await people.pressed(turn, action)
    elif isinstance(action, Withdraw):
        await people.forget_answered(turn, action)
    elif turn.actor.person_id is None and not turn.actor.is_admin:
        await turn.notify(Msg("fallback.stale_button"))
    elif isinstance(action, people.INVITE_ACTIONS):
        await people.invite_pressed(turn, action)
    elif isinstance(action, curator.CURATOR_ACTIONS):
        await curator.pressed(turn, action)
    elif isinstance(action, monitoring.ROUND_ACTIONS):
        await monitoring.pressed(turn, action)
    elif isinstance(action, export.EXPORT_ACTIONS):
        await export.pressed(turn, action)
    elif action is not None:
        await survey.pressed(turn, action)
    else:
        await turn.notify(Msg("fallback.stale_button"))
