"""Where the service's own files are, in a checkout and when installed from the wheel.

The templates and static files live inside the packages, wherever those are. The
migrations and the translations live at the top of the repository (Alembic's and Babel's
tools expect them there), and the wheel carries them inside this package, as
`shared/bundled/migrations` and `shared/bundled/translations` (see setup.py), so that an
installation adds no generic top-level names such as `migrations` to site-packages. This
module is the one place that knows both places.

Nothing is ever written beside the code: an installed service may run from a read-only
file system. The instance folder (the development database and secret key) is in the
checkout, or for an installed service Flask's usual place under its prefix.
"""

import os
import sys

PACKAGE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(PACKAGE)
# The repository's top-level folders the wheel carries, and where it puts them.
BUNDLED = ("migrations", "translations")
BUNDLED_IN = os.path.join(PACKAGE, "bundled")


def installed() -> bool:
    """Whether this is an installation from the wheel rather than a checkout (or an
    editable install, which runs the checkout's files)."""
    return os.path.isdir(BUNDLED_IN)


def folder(name: str) -> str:
    """The path of the top-level folder `name` (one of BUNDLED)."""
    if name not in BUNDLED:
        raise ValueError(f"{name} is not one of the folders the package carries: {', '.join(BUNDLED)}")
    return os.path.join(BUNDLED_IN if installed() else CHECKOUT, name)


def instance_folder() -> str:
    """The instance folder: `instance/` in a checkout; installed, Flask's own choice for
    an installed package, `<prefix>/var/trackmycrime-instance`."""
    if installed():
        return os.path.join(sys.prefix, "var", "trackmycrime-instance")
    return os.path.join(CHECKOUT, "instance")
