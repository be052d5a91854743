"""Benchmarks at the scale of a large force: a year of crimes in PostgreSQL, and the service measured against it."""
