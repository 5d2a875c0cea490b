"""Models of the fees app."""
