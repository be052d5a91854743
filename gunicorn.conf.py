"""gunicorn's configuration, read by `gunicorn` run from the top of a checkout (it serves
the app with no more arguments): the settings of shared.web.serving, as the installed
service's `trackmycrime web` uses them."""

from shared.web.serving import settings

globals().update(settings())
