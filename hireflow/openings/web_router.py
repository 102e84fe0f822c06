"""The router of the openings pages: ``routes_web`` (openings, models, plans, rules) and
``routes_requests`` (hiring requests) add their pages to this one router, so the application
sees plain routes (it wraps each endpoint; a nested router would hide them)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
