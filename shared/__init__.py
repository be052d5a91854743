"""The shared model and services of Track My Crime, and the app factory."""
