"""Exhibit: qa."""
