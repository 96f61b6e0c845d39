"""A local stand-in for the MAX Bot API that the real bot talks to over HTTP.

It follows MAX's published schema (the official OpenAPI `schema.yaml` and dev.max.ru):
the token travels in the `Authorization` header (a token in the query is refused, as MAX
does now); `GET /updates` long-polls with `marker` (passing a marker commits every update
before it; without one the bot gets everything after the last commit); `POST /subscriptions`
switches to webhook delivery with the `X-Max-Bot-Api-Secret` header; `POST /messages`
(`user_id` or `chat_id`) and `PUT /messages?message_id=` carry a `NewMessageBody` whose
inline keyboard and file attachments are attachments; `POST /answers?callback_id=` answers a
button press with a notification and/or a new message body; files go up through
`POST /uploads?type=file`, then the returned URL, then are attached by token.

Limits enforced, each answered the way MAX answers (`{"code": …, "message": …}`): text up to
4,000 characters; keyboards up to 30 rows, 7 buttons a row (3 for link/open_app/request_*),
210 buttons, button text 1–128 characters, callback payload up to 1,024 characters; 30
requests a second for the bot and 2 messages and 2 callback answers a second per dialog
(429 `too.many.requests`); a person who stopped the bot gets 403 `chat.denied`.

    async with MaxAPIStandIn() as standin:
        olga = standin.user(7001)
        await olga.start("INVITE42")         # the deep link max.ru/<bot>?start=INVITE42
        await olga.press(olga.button("Да"))
        assert olga.last_text == "..."
"""

from .records import Call, MaxMessage, Upload
from .server import BOT_ID, MaxAPIStandIn, MaxError
from .users import MaxUser

__all__ = ["BOT_ID", "Call", "MaxAPIStandIn", "MaxError", "MaxMessage", "MaxUser", "Upload"]
