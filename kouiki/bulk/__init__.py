"""Bulk CSV files (一括登録): one mechanism for every bulk function of every system.

An application registers its functions (``kouiki.bulk.registry.register``); this app stores the
uploaded file and its rows, validates them with the function's own rules, waits for the user's
confirmation and applies the good rows in a background job (ADR 0030).
"""
