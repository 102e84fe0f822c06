"""Hiring analytics (SPEC I1): the funnel by stage with conversion, time in each stage and the
AI's score distribution per competency, per company, opening, department and period, each
chart with its table and a CSV/XLSX export. Reads the pipeline (workflow), applications
(candidates) and reports (interviews); it sits above them and nothing imports it.

The bias audit (SPEC I, NYC Local Law 144 style): voluntary self-identification after the AI
interview, stored encrypted in a table of its own and written only here, and selection rates
and impact ratios per self-identified group (docs/bias-audit.md).
"""
