"""The router of the interview pages: ``routes_candidate_web`` (the candidate's interview) and
``routes_web`` (HR's pages) add their pages to this one router, so the application sees plain
routes (it wraps each endpoint; a nested router would hide them)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
