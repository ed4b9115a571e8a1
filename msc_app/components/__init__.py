"""Reusable UI pieces: keyword-only functions returning rx.Component, no database access."""
