"""The application kinds of the member system, registered with the review workflow."""
