"""Exhibit: index."""
