"""Deep links into MAX: https://max.ru/<bot name>?start=<code> arrives as bot_started with
the code as its payload (MAX passes payloads up to 128 characters)."""

from __future__ import annotations


def max_link(bot_name: str, code: str) -> str:
    return f"https://max.ru/{bot_name.lstrip('@')}?start={code}"
