"""Conversation state that changes only when the update's database transaction commits.

FSM state lives in Redis (or memory), the answers in the database: without care a crash
between the two leaves them disagreeing (the state moved on, the write rolled back), and a
redelivered update then finds the conversation past the step it has to repeat. During an
update the FSM writes wait in a buffer; `apply_fsm_writes` stores them after the commit, and
a failed update drops them together with its transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

_UNSET: Any = object()


@dataclass
class _Pending:
    state: Any = _UNSET
    data: dict[str, Any] | Any = _UNSET


@dataclass
class FsmWrites:
    by_key: dict[StorageKey, _Pending] = field(default_factory=dict)


_current: ContextVar[FsmWrites | None] = ContextVar("fsm_writes", default=None)


class DeferredStorage(BaseStorage):
    """Wraps the real storage; outside an update (no buffer) it writes straight through."""

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        writes = _current.get()
        if writes is None:
            await self.inner.set_state(key, state)
            return
        value = state.state if isinstance(state, State) else state
        writes.by_key.setdefault(key, _Pending()).state = value

    async def get_state(self, key: StorageKey) -> str | None:
        pending = _pending(key)
        if pending is not None and pending.state is not _UNSET:
            return str(pending.state) if pending.state is not None else None
        return await self.inner.get_state(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        writes = _current.get()
        if writes is None:
            await self.inner.set_data(key, data)
            return
        writes.by_key.setdefault(key, _Pending()).data = copy.deepcopy(dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        pending = _pending(key)
        if pending is not None and pending.data is not _UNSET:
            return copy.deepcopy(dict(pending.data))
        return await self.inner.get_data(key)

    async def close(self) -> None:
        await self.inner.close()


def _pending(key: StorageKey) -> _Pending | None:
    writes = _current.get()
    return writes.by_key.get(key) if writes is not None else None


def begin_fsm_writes() -> tuple[FsmWrites, object]:
    writes = FsmWrites()
    return writes, _current.set(writes)


def end_fsm_writes(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


async def apply_fsm_writes(storage: BaseStorage, writes: FsmWrites) -> None:
    """After the commit: store what the update changed in the conversation."""
    inner = storage.inner if isinstance(storage, DeferredStorage) else storage
    for key, pending in writes.by_key.items():
        if pending.state is not _UNSET:
            await inner.set_state(key, pending.state)
        if pending.data is not _UNSET:
            await inner.set_data(key, pending.data)
