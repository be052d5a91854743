"""Fail when pyproject.toml and the lock files in requirements/ disagree.

`make lock` writes requirements/runtime.txt (the `[project] dependencies` and everything they
pull in) and requirements/dev.txt (those and the `dev` extra), each pin with its hashes. This
check needs no network: it reads the pins named in pyproject.toml and finds each one, at the
same version, in the lock; it also finds a lock that still names a dependency pyproject.toml
dropped, a pin without hashes, and a dev lock whose runtime pins differ from the runtime lock.

    python scripts/check_lock.py [--pyproject FILE] [--runtime FILE] [--dev FILE]

Exit status 0 when they agree, 1 (with each disagreement listed) when they do not.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "trackmycrime"
# `name[extra,...]==version`, then markers after `;` or the line's continuation.
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;\\]+)")
_DECLARED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>.*)$")
_HASH = re.compile(r"--hash=(?:sha256|sha384|sha512):[0-9a-f]+")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    version: str
    hashes: int = 0
    # Which requirement sources the lock says asked for this pin ("via ..." comments).
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = _PIN.match(raw)
        if match:
            current = pins.setdefault(canonical(match["name"]), Pin(match["version"]))
            current.hashes += len(_HASH.findall(line))
        elif current is not None and line.startswith("--hash="):
            current.hashes += len(_HASH.findall(line))
        elif current is not None and line.startswith("#"):
            via = line.lstrip("#").strip()
            if via.startswith("via "):
                via = via[4:]
            if via and via != "via":
                current.via.append(via)
        elif line and not line.startswith("#"):
            current = None
    return pins


def declared(requirements: list[str], where: str, problems: list[str]) -> dict[str, str]:
    """Each declared requirement's name and its exact version."""
    found: dict[str, str] = {}
    for requirement in requirements:
        text = requirement.split(";")[0].strip()
        match = _DECLARED.match(text)
        spec = match["spec"].strip() if match else ""
        if not match or not spec.startswith("==") or "," in spec or "*" in spec:
            problems.append(f"{where}: {requirement!r} is not pinned to one version (name==version)")
            continue
        found[canonical(match["name"])] = spec[2:].strip()
    return found


def compare(label: str, lock: dict[str, Pin], wanted: dict[str, str], problems: list[str]) -> None:
    for name, version in sorted(wanted.items()):
        pin = lock.get(name)
        if pin is None:
            problems.append(f"{label}: {name}=={version} is declared in pyproject.toml but not locked")
        elif pin.version != version:
            problems.append(f"{label}: {name} is {version} in pyproject.toml but {pin.version} in the lock")
    for name, pin in sorted(lock.items()):
        if not pin.hashes:
            problems.append(f"{label}: {name}=={pin.version} has no hash")
        direct = any(via.startswith(f"{PROJECT} (pyproject.toml)") for via in pin.via)
        if direct and name not in wanted:
            problems.append(
                f"{label}: {name}=={pin.version} is locked as a dependency pyproject.toml no longer declares"
            )


def check(pyproject: Path, runtime: Path, dev: Path) -> list[str]:
    problems: list[str] = []
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    dependencies = declared(project.get("dependencies", []), "dependencies", problems)
    extras = project.get("optional-dependencies", {})
    dev_dependencies = declared(extras.get("dev", []), "optional-dependencies.dev", problems)
    for path in (runtime, dev):
        if not path.exists():
            problems.append(f"{path.name}: missing")
    if problems:
        return problems

    runtime_lock = read_lock(runtime)
    dev_lock = read_lock(dev)
    compare(runtime.name, runtime_lock, dependencies, problems)
    compare(dev.name, dev_lock, {**dependencies, **dev_dependencies}, problems)
    for name, pin in sorted(runtime_lock.items()):
        in_dev = dev_lock.get(name)
        if in_dev is None or in_dev.version != pin.version:
            got = in_dev.version if in_dev else "absent"
            problems.append(f"{dev.name}: {name} is {got}, but {pin.version} in {runtime.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--runtime", type=Path, default=ROOT / "requirements" / "runtime.txt")
    parser.add_argument("--dev", type=Path, default=ROOT / "requirements" / "dev.txt")
    args = parser.parse_args(argv)
    problems = check(args.pyproject, args.runtime, args.dev)
    if problems:
        sys.stderr.write("The lock does not match pyproject.toml (run `make lock`):\n")
        sys.stderr.writelines(f"  {problem}\n" for problem in problems)
        return 1
    sys.stdout.write(f"The lock matches {args.pyproject.name}.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
