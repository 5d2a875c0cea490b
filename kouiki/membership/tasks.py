"""The member system's background tasks and periodic jobs, found by `periodic.autodiscover()`."""

from kouiki.membership import tasks_join

__all__ = ["tasks_join"]
