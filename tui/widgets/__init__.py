"""Exhibit: tui/widgets."""
