"""Models of notices."""
