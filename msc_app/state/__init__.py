"""Thin Reflex state classes, one per page or feature, on ``SessionState``."""
