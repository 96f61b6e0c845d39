"""The справка as a .docx (python-docx): A4 with the margins Russian office documents use,
headings as Word headings (so the methodist gets a navigation pane and a table of contents),
tables in a grid, charts as pictures, and the conclusions as ordinary editable paragraphs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from exports.report.blocks import Block, Chart, Heading, Paragraph, TableBlock

FONT = "Times New Roman"
FONT_SIZE = Pt(12)
TABLE_FONT_SIZE = Pt(10)
PICTURE_WIDTH = Cm(16)


def write_docx(blocks: Sequence[Block], path: Path, title: str) -> None:
    document = Document()
    _page(document)
    document.core_properties.title = title
    document.core_properties.author = "nastavnik"
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.bold = block.bold
            if block.editable:
                run.italic = True
        elif isinstance(block, TableBlock):
            _table(document, block)
        elif isinstance(block, Chart):
            document.add_picture(io.BytesIO(block.png), width=PICTURE_WIDTH)
            caption = document.add_paragraph(block.caption)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption.runs[0].italic = True
    document.save(str(path))


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = FONT_SIZE


def _table(document: DocumentObject, block: TableBlock) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = TABLE_FONT_SIZE
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = TABLE_FONT_SIZE
    document.add_paragraph()
