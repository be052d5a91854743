"""The one build step pyproject.toml cannot declare: the wheel carries the migrations and
the translations, which live at the top of the repository, inside the `shared` package,
where shared/resources.py finds them; and it is not built without the files
`make install` makes and git does not keep (GOV.UK and MoJ Frontend's assets, copied into
shared/static by scripts/copy-assets.js, and the compiled translations), since a service
installed without them would serve pages with no styles or only in English."""

import glob
import os
import runpy
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = runpy.run_path(os.path.join(HERE, "shared", "resources.py"))
# What `make install` copies from node_modules into shared/static.
ASSETS = [
    "shared/static/vendor",
    "shared/static/fonts",
    "shared/static/images",
    "shared/static/manifest.json",
]


def missing_built_files() -> list[str]:
    """The built files a wheel needs that are not here: each asset, and a .mo beside
    each translation's .po."""
    missing = []
    for path in ASSETS:
        full = os.path.join(HERE, path)
        if not (os.path.isfile(full) or (os.path.isdir(full) and os.listdir(full))):
            missing.append(path)
    for catalogue in sorted(glob.glob("translations/*/LC_MESSAGES/*.po", root_dir=HERE)):
        compiled = catalogue.removesuffix(".po") + ".mo"
        if not os.path.isfile(os.path.join(HERE, compiled)):
            missing.append(compiled)
    return missing


class BuildWithBundledFolders(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            # An editable install runs the checkout's files where they are.
            return
        missing = missing_built_files()
        if missing:
            raise SetupError(
                f"Not built: {', '.join(missing)}. Run `make install` first (npm ci copies the front-end "
                "assets; pybabel compiles the translations)."
            )
        for name in RESOURCES["BUNDLED"]:
            target = os.path.join(self.build_lib, os.path.relpath(RESOURCES["BUNDLED_IN"], HERE), name)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                os.path.join(HERE, name), target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildWithBundledFolders})
