"""The справка as plain data, before it becomes a .docx: what prose.py writes and
document.py renders (and what tests read without opening Word)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    editable: bool = False  # the methodist's own text goes here


@dataclass(frozen=True)
class TableBlock:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    png: bytes
    caption: str


Block = Heading | Paragraph | TableBlock | Chart
