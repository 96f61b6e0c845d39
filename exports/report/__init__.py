"""The «аналитическая справка»: a .docx a methodist can sign, built from the same figures as
the monitoring workbook (`figures.py`), with prose from the catalogue (`prose.py`), charts
(`charts.py`) and tables (`document.py`)."""
