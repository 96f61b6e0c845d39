"""Queries, one class per area; handlers and the CLI use these, never raw SQL."""
