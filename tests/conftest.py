"""Shared fixtures: organizations, users and logged-in clients, through the real services."""
