"""Where the repository is, for the tests that read its files (the translations, the
migrations, pyproject.toml) or run its commands, wherever in tests/ they live."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
