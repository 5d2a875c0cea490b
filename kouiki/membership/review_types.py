"""The application kinds of the member system, registered with the review workflow."""

from kouiki.membership import review_changes, review_join

__all__ = ["review_changes", "review_join"]
