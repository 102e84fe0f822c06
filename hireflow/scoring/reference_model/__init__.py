"""Fitted parameters of the reference-answer scorer (``linear.json``), shipped as package data."""
