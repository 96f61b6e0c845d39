"""The questionnaires a deployment knows, by key and version."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import UnknownQuestionnaire
from .model import Questionnaire


class Catalogue:
    """Immutable after construction; an assignment keeps (key, version), so old versions stay."""

    def __init__(self, questionnaires: Iterable[Questionnaire] = ()) -> None:
        self._by_version: dict[tuple[str, int], Questionnaire] = {}
        for questionnaire in questionnaires:
            at = (questionnaire.key, questionnaire.version)
            known = self._by_version.setdefault(at, questionnaire)
            if known.digest() != questionnaire.digest():
                raise ValueError(f"{at[0]} version {at[1]} given twice with different content")
        self._latest: dict[str, Questionnaire] = {}
        self._by_slot: dict[tuple[str, str, str], Questionnaire] = {}
        for (key, _), questionnaire in sorted(self._by_version.items()):
            self._latest[key] = questionnaire  # sorted: the highest version comes last
            slot = (questionnaire.form, questionnaire.role.value, questionnaire.moment.value)
            holder = self._by_slot.setdefault(slot, questionnaire)
            if holder.key != key:
                raise ValueError(f"{holder.key} and {key} both serve {'/'.join(slot)}")
            self._by_slot[slot] = questionnaire

    def get(self, key: str, version: int) -> Questionnaire:
        try:
            return self._by_version[(key, version)]
        except KeyError:
            raise UnknownQuestionnaire(f"{key} version {version}") from None

    def latest(self, key: str) -> Questionnaire:
        try:
            return self._latest[key]
        except KeyError:
            raise UnknownQuestionnaire(key) from None

    def versions(self, key: str) -> tuple[int, ...]:
        return tuple(version for k, version in sorted(self._by_version) if k == key)

    def for_(self, form: str, role: str, moment: str) -> Questionnaire | None:
        """The latest questionnaire for a form of mentoring, a role and a moment."""
        return self._by_slot.get((form, str(role), str(moment)))

    def all(self) -> tuple[Questionnaire, ...]:
        """Every version, ordered by key then version."""
        return tuple(self._by_version[at] for at in sorted(self._by_version))

    def __len__(self) -> int:
        return len(self._by_version)
