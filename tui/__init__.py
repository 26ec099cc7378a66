"""Exhibit: tui."""
