"""Models of capacity."""
