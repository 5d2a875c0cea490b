"""Versioned terms of use and consents (X-T1)."""
