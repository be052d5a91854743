"""Node.js 22 LTS (the `node` devDependency, installed by `npm ci`) runs the asset copy and
the OpenID Connect provider the tests start, not whatever older node the machine has."""

import json
import shutil
import subprocess

from tests.oidc.fixtures import NODE
from tests.paths import ROOT


def major(version: str) -> int:
    assert version.startswith("v"), version
    return int(version[1:].split(".")[0])


def test_npm_scripts_run_node_22():
    npm = shutil.which("npm")
    assert npm, "npm is needed to install the front-end assets"
    result = subprocess.run(
        [npm, "exec", "--", "node", "--version"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert major(result.stdout.strip()) == 22


def test_the_tests_start_node_22():
    result = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True)
    assert major(result.stdout.strip()) == 22


def test_the_project_asks_for_node_22():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["engines"]["node"] == ">=22"
    assert package["devDependencies"]["node"].startswith("22.")
