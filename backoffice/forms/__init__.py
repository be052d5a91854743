"""The back office's forms, one module per part of the back office. Each form checks
what was posted; the services check the rules."""
