"""Which figures of a workbook to hide so that none rests on fewer than `min_group` people,
not even by arithmetic.

Primary suppression hides a figure whose basis (the distinct people behind it) is 1 to
`min_group - 1`. A hidden figure can still be worked out when it is the only unknown of a
relation between figures: a total and its parts (totals minus the visible parts), a mean
and the means it averages (a weighted mean), a difference and its two terms, the same
people counted on two sheets. Secondary suppression therefore hides, in every relation with
exactly one hidden figure, one more: the part with the fewest people (a total last), until
no relation has a single unknown. `follows` ties figures computed from one another (a share
and its count): when the first is hidden, so are the others.

Pure: keys are whatever the caller uses to name a cell; nothing here knows about sheets.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """Figures tied by one equation: knowing all but one of them gives the last away."""

    parts: tuple[Key, ...]
    total: Key | None = None

    @property
    def cells(self) -> tuple[Key, ...]:
        return self.parts if self.total is None else (*self.parts, self.total)


def primary(basis: Mapping[Key, int], min_group: int) -> set[Key]:
    """Figures about some people, but fewer than `min_group` of them."""
    return {key for key, people in basis.items() if 0 < people < min_group}


def suppress(
    basis: Mapping[Key, int],
    relations: Sequence[Relation],
    min_group: int,
    follows: Mapping[Key, Iterable[Key]] | None = None,
) -> frozenset[Key]:
    """Every figure to hide: the primary ones, those computed from a hidden one, and enough
    others that no relation is left with a single hidden figure."""
    followers = {key: tuple(keys) for key, keys in (follows or {}).items()}
    hidden: set[Key] = set()
    pending = list(primary(basis, min_group))
    order = {key: index for index, key in enumerate(basis)}

    def hide(key: Key) -> None:
        pending.append(key)

    while True:
        while pending:
            key = pending.pop()
            if key in hidden:
                continue
            hidden.add(key)
            pending.extend(followers.get(key, ()))
        for relation in relations:
            unknown = sum(1 for key in relation.cells if key in hidden)
            if unknown != 1:
                continue
            other = _second(relation, hidden, basis, order)
            if other is not None:
                hide(other)
        if not pending:
            return frozenset(hidden)


def _second(
    relation: Relation, hidden: set[Key], basis: Mapping[Key, int], order: Mapping[Key, int]
) -> Key | None:
    """The visible figure to hide with the relation's one hidden figure: a part about the
    fewest people (an empty part gives nothing away: it is known to be nothing), else the
    total."""
    parts = [key for key in relation.parts if key not in hidden and basis.get(key, 0) > 0]
    if parts:
        return min(parts, key=lambda key: (basis.get(key, 0), order.get(key, len(order))))
    if relation.total is not None and relation.total not in hidden:
        return relation.total
    return None
