"""Conversation state on MAX: a small JSON object per person (which answered question is
being changed, which registration step comes next), kept in Redis when it is set and in
memory otherwise, like aiogram's FSM storage on Telegram.

Writes are stored only after the update's commit (the unit of work's after_commit), so a
crash between the database and the state never leaves them disagreeing.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from redis.asyncio import Redis

State = dict[str, Any]


class StateStore(Protocol):
    async def get(self, user_id: int) -> State: ...

    async def set(self, user_id: int, state: State) -> None:
        """Store `state`; an empty one clears the conversation."""


class MemoryStates:
    def __init__(self) -> None:
        self._states: dict[int, str] = {}

    async def get(self, user_id: int) -> State:
        found = self._states.get(user_id)
        return dict(json.loads(found)) if found else {}

    async def set(self, user_id: int, state: State) -> None:
        if state:
            self._states[user_id] = json.dumps(state)
        else:
            self._states.pop(user_id, None)


class RedisStates:
    def __init__(self, redis: Redis, ttl_seconds: int = 30 * 86_400) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    async def get(self, user_id: int) -> State:
        found = await self.redis.get(_key(user_id))
        return dict(json.loads(found)) if found else {}

    async def set(self, user_id: int, state: State) -> None:
        if state:
            await self.redis.set(_key(user_id), json.dumps(state), ex=self.ttl)
        else:
            await self.redis.delete(_key(user_id))


def _key(user_id: int) -> str:
    return f"nastavnik:max:state:{user_id}"


def create_states(redis_url: str | None) -> StateStore:
    if redis_url:
        return RedisStates(Redis.from_url(redis_url))
    return MemoryStates()
