"""Models of tso."""
