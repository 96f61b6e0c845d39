"""Catalogue keys the rounds code builds at run time (f-strings), for the catalogue test."""

from __future__ import annotations

from surveys.rounds import RoundKind
from surveys.statuses import RoundStatus


def round_dynamic_keys() -> set[str]:
    keys = {f"rounds.kind.{kind.value}" for kind in RoundKind}
    keys |= {f"rounds.status.{status.value}" for status in RoundStatus}
    return keys
