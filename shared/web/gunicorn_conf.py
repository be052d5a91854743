"""gunicorn's configuration as a module, `gunicorn --config python:shared.web.gunicorn_conf`,
which is how `trackmycrime web` runs it: gunicorn reads its settings from the names a
configuration module defines. What they are, and why, is in shared.web.serving."""

from shared.web.serving import settings

globals().update(settings())
