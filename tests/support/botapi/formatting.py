"""What a Telegram client shows for a text sent with a given parse_mode.

Only HTML is interpreted: it is what this project uses, and an unescaped "<" coming from a
person's name is a classic way to get "can't parse entities" in production, so the stand-in
rejects such text the way Telegram does instead of silently echoing it.
"""

from __future__ import annotations

import html
import re

# https://core.telegram.org/bots/api#html-style
_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji", "tg-time"}
)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)(?:\s[^<>]*)?>")


def utf16_len(text: str) -> int:
    """Telegram counts lengths and entity offsets in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(text: str, parse_mode: str | None) -> str:
    """Return the text as the user sees it; raise ValueError(description) if Telegram would."""
    if (parse_mode or "").upper() != "HTML":
        return text
    open_tags: list[str] = []
    plain: list[str] = []
    pos = 0
    while (lt := text.find("<", pos)) != -1:
        plain.append(text[pos:lt])
        offset = len(text[:lt].encode())  # Telegram reports byte offsets
        match = _TAG.match(text, lt)
        name = match.group(2).lower() if match else ""
        if match is None or name not in _ALLOWED_TAGS:
            raise ValueError(f'Unsupported start tag "{name}" at byte offset {offset}')
        if not match.group(1):
            open_tags.append(name)
        elif not open_tags or open_tags[-1] != name:
            expected = f"</{open_tags[-1]}>" if open_tags else "nothing"
            found = f"</{name}>"
            raise ValueError(
                f'Unmatched end tag at byte offset {offset}, expected "{expected}", found "{found}"'
            )
        else:
            open_tags.pop()
        pos = match.end()
    plain.append(text[pos:])
    if open_tags:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return html.unescape("".join(plain))
