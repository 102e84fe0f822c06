"""Hireflow: AI interviews fused with an HR system."""

__version__ = "0.1.0"
