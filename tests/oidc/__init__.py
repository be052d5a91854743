"""A real OpenID Connect provider for the sign-in tests."""
