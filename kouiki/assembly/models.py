"""Models of the assembly app."""
