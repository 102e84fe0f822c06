"""Hiring analytics (SPEC I1): the funnel by stage with conversion, time in each stage and the
AI's score distribution per competency, per company, opening, department and period, each
chart with its table and a CSV/XLSX export. Reads only: the pipeline (workflow), applications
(candidates) and reports (interviews); it sits above them and nothing imports it.
"""
