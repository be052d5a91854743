"""Flask extensions, created unbound and bound to an app by the factory.

This module imports nothing else of the project, so any module may import it.
"""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay loaded after commit: a view commits its audit event, then renders what it
# read, without reloading every row one by one.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# The models' base class. `db.Model` is made at run time, so a type checker cannot see
# that it is `Base` with Flask-SQLAlchemy's extras; it is told so here.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
login_manager = LoginManager()
csrf = CSRFProtect()
# The templates translate through shared.translation, as the code does: Flask-Babel
# neither installs its own gettext in Jinja nor its date filters (shared.web.locale has
# the service's).
babel = Babel(configure_jinja=False)
