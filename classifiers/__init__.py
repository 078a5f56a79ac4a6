"""Explainable SCS tagging: relevance, SCS types, industries and locations, each with its evidence."""

from classifiers.engine import classify
from classifiers.model import Classification, Document, Evidence, TagResult, TermHit

__all__ = ["Classification", "Document", "Evidence", "TagResult", "TermHit", "classify"]
