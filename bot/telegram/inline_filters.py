"""Synchronous filters run inline instead of in a worker thread.

aiogram 3 runs every callable that is not a coroutine function (magic `F.…` filters, plain
functions) through ``asyncio.to_thread``: one thread-pool round trip and two event-loop turns
per check. An update passes a few dozen such checks on its way through our routers, so that
was a large share of the bot's CPU per update (bench/answers.py). The checks are cheap
attribute look-ups; running them on the loop is what they need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def run_sync_filters_inline(router: Router) -> int:
    """Turn every synchronous filter under `router` into a coroutine; returns how many."""
    changed = 0
    for filter_object in filters_under(router):
        if filter_object.awaitable:
            continue
        filter_object.callback = _as_coroutine(filter_object.callback)
        filter_object.awaitable = True
        changed += 1
    return changed


def filters_under(router: Router) -> Iterator[FilterObject]:
    """Every filter of `router` and its sub-routers: router-level and per handler."""
    for child in router.chain_tail:
        for observer in child.observers.values():
            yield from observer._handler.filters or ()
            for handler in observer.handlers:
                yield from handler.filters or ()


def _as_coroutine(function: Callable[..., Any]) -> Callable[..., Any]:
    # aiogram passes only the keyword arguments the original signature names; wraps() keeps
    # that signature visible (CallableObject.params was computed from it already).
    @wraps(function)
    async def check(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return check
