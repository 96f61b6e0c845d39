"""The messengers people are reached through. A person belongs to the channel they registered
from (person.channel + person.external_id); an outbox row names its channel; each channel has
its own sender implementation (app/delivery.py) and pace."""

from __future__ import annotations

from enum import StrEnum


class ChannelName(StrEnum):
    TELEGRAM = "telegram"
    MAX = "max"
