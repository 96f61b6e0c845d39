"""Telegram's `my_chat_member` in a private chat: the person blocked the bot (`kicked`) or
unblocked it (`member`). Registering these handlers is also what makes aiogram ask Telegram
for `my_chat_member` updates (allowed_updates follows the handlers)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from app import reachability
from bot.telegram.conversation import Chat
from bot.telegram.filters import Magic


async def blocked(event: ChatMemberUpdated, chat: Chat) -> None:
    await reachability.blocked(chat.uow, chat.actor)


async def came_back(event: ChatMemberUpdated, chat: Chat) -> None:
    await reachability.came_back(chat.uow, chat.actor)


def create_router() -> Router:
    router = Router(name="reachability")
    router.my_chat_member.filter(Magic(F.chat.type == "private"))
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(KICKED))
    router.my_chat_member.register(came_back, ChatMemberUpdatedFilter(MEMBER))
    return router
