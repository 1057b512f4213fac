"""Anxin (安心): buyer protection for social commerce."""
