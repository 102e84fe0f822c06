"""Offers (SPEC H3) and hire with onboarding (SPEC H4).

Offer templates per company, an offer per application made from one, rendered to PDF in
Chinese and English; an approval chain; sending through the candidate's personal offer link,
where the candidate accepts (typed name, time, address sealed into the record chain) or
declines and uploads the documents the offer asks for; expiry and reminders. Acceptance
makes the person an employee on the same record, moves the application to the hired stage
and opens an onboarding checklist whose tasks notify their owners.
"""
