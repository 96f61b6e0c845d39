"""Outbox messages to people who registered from MAX (app.delivery's port): the stored
buttons become MAX callback buttons with the same packed actions, so «Начать» opens the
questionnaire in MAX exactly as in Telegram. The client keeps MAX's pace and waits out its
429s; what is left of a failure is reported for the outbox sender to record."""

from __future__ import annotations

from typing import Any

from app.delivery import Outcome, Verdict, button_rows
from bot.max.client import FLOOD_WAIT_SECONDS, Flooded, MaxClient, Rejected, Transient, Unreachable
from bot.max.screens import split_text


class MaxDelivery:
    def __init__(self, client: MaxClient) -> None:
        self.client = client

    async def deliver(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> Outcome:
        try:
            keyboard = button_rows(markup)
        except ValueError as error:  # a malformed keyboard never becomes valid
            return Outcome(Verdict.REJECTED, f"reply_markup: {error}")
        # Outbox texts are short; one that is not is cut at a line end, never refused.
        body = split_text(text)[0]
        try:
            await self.client.send(chat_id, body, keyboard or None)
        except Flooded as error:
            return Outcome(Verdict.FLOOD, str(error), FLOOD_WAIT_SECONDS)
        except Unreachable as error:
            return Outcome(Verdict.UNREACHABLE, str(error))
        except Rejected as error:
            return Outcome(Verdict.REJECTED, str(error))
        except Transient as error:
            return Outcome(Verdict.TRANSIENT, str(error))
        except Exception as error:  # anything else: another try later, never lost
            return Outcome(Verdict.TRANSIENT, f"{type(error).__name__}: {error}")
        return Outcome(Verdict.SENT)
