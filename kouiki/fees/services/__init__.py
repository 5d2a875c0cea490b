"""Writes of the fees app, one module per aggregate."""
