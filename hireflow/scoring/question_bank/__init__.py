"""Data files of the built-in question bank (read by :mod:`hireflow.scoring.questions`)."""
