"""Self-service for candidates and employees (SPEC J1–J3).

J1: a person sees their own interview report as the company allows (scores, radar against the
job's required levels, quoted behaviour examples, development suggestions), asks for an
explanation or a review by a person, downloads their data and asks for a correction or an
erasure (PIPL, GDPR). J2: a company's course catalogue mapped to competencies, recommended for
the competencies below requirement, one-click enrolment with a waiting list. J3: development
re-assessments (a development AI interview on the plan's competencies through the interviews
flow) and progress over time with the evidence behind each point. See docs/selfservice.md.
"""
