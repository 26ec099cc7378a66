"""Exhibit: tui/screens."""
