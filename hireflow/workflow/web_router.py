"""The router of the pipeline pages: ``routes_web`` (board, settings, scorecards) and
``routes_rules_web`` (rules, rule log, HR's confirmations) add their pages to this one router,
so the application sees plain routes (it wraps each endpoint; a nested router would hide them)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
