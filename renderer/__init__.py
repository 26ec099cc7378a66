"""Exhibit: renderer."""
