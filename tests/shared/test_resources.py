"""Where the service finds its own files (shared/resources.py): beside the package in a
checkout, inside it when installed from the wheel; and the instance folder, made only
for the default SQLite database."""

import pytest

from shared import resources
from shared.factory import create_app
from tests.paths import ROOT


def test_in_a_checkout_the_folders_are_at_the_top_of_the_tree():
    assert not resources.installed()
    assert resources.folder("migrations") == str(ROOT / "migrations")
    assert resources.folder("translations") == str(ROOT / "translations")
    assert resources.instance_folder() == str(ROOT / "instance")


def test_installed_the_folders_are_inside_the_package(monkeypatch, tmp_path):
    monkeypatch.setattr(resources, "BUNDLED_IN", str(tmp_path / "bundled"))
    (tmp_path / "bundled").mkdir()
    assert resources.installed()
    assert resources.folder("migrations") == str(tmp_path / "bundled" / "migrations")
    assert "trackmycrime-instance" in resources.instance_folder()


def test_only_the_folders_the_package_carries_are_found():
    with pytest.raises(ValueError, match="not one of the folders the package carries"):
        resources.folder("instance")


def test_the_instance_folder_is_made_only_for_the_default_sqlite_database(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    monkeypatch.setattr(resources, "instance_folder", lambda: str(instance))
    monkeypatch.setenv("APP_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/given.db")
    create_app()
    assert not instance.exists()
    monkeypatch.delenv("DATABASE_URL")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/trackmycrime.db"
    assert instance.is_dir()
