"""The curator's conversation steps; their replies are app.reply's (re-exported here for
the curator modules)."""

from __future__ import annotations

from enum import StrEnum

from app.reply import KEEP, Document, Reply, stale

__all__ = ["KEEP", "Document", "Reply", "Step", "stale"]


class Step(StrEnum):
    """Steps of the curator's conversations. The names are those the conversations in
    progress already have in the conversation store."""

    FORM = "ProgrammeStep:form"
    TITLE = "ProgrammeStep:title"
    YEAR = "ProgrammeStep:year"
    STARTS_ON = "ProgrammeStep:starts_on"
    ENDS_ON = "ProgrammeStep:ends_on"
    NEW_VALUE = "ProgrammeEdit:value"
    MENTOR = "PairForming:mentor"
    MENTEES = "PairForming:mentees"
    ROSTER = "RosterUpload:waiting"
