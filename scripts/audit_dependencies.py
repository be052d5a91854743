"""Look every locked Python package up in a vulnerability database (pip-audit).

    python scripts/audit_dependencies.py [--if-reachable] [--service NAME ...] LOCK_FILE...

Each lock file (requirements/runtime.txt, requirements/dev.txt) is audited exactly as
locked: pip-audit reads the pins and their hashes, resolves nothing and installs nothing.
The services are tried in turn (PyPI's advisories, then OSV) until one answers for every
pin. pip-audit itself reports "No known vulnerabilities found" and exits 0 when it could
look up none of the packages; here a package that was not looked up is never taken as safe.

Exit status:
  0  every package was looked up and none has a known vulnerability; or, with
     --if-reachable, no database could be reached (said plainly: nothing was audited);
  1  a locked package has a known vulnerability (whatever --if-reachable says);
  2  no database could be reached (without --if-reachable), or one answered for only
     some of the packages;
  3  pip-audit failed for another reason.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("pypi", "osv")
# What pip-audit (or requests beneath it) says when it cannot reach the service.
_UNREACHABLE = re.compile(
    r"ConnectionError|Could not connect|Max retries exceeded|NameResolution|Name or service not known"
    r"|Temporary failure in name resolution|Network is unreachable|Connection refused|timed out|Timeout",
)


@dataclass
class Vulnerability:
    package: str
    version: str
    id: str
    aliases: list[str]
    fix_versions: list[str]


@dataclass
class Result:
    """What one service said about one lock file."""

    service: str
    audited: int = 0
    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    # Packages the service gave no answer for, with pip-audit's reason.
    skipped: dict[str, str] = field(default_factory=dict)
    unreachable: str = ""
    error: str = ""

    @property
    def complete(self) -> bool:
        return not (self.skipped or self.unreachable or self.error)


def run_pip_audit(pip_audit: str, lock: Path, service: str) -> tuple[int, str, str]:
    command = [
        pip_audit,
        "--requirement",
        str(lock),
        "--require-hashes",
        "--disable-pip",
        "--vulnerability-service",
        service,
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed arguments, no shell
    return done.returncode, done.stdout, done.stderr


def interpret(service: str, returncode: int, stdout: str, stderr: str) -> Result:
    result = Result(service)
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict) or "dependencies" not in report:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {returncode}"
        if _UNREACHABLE.search(stderr):
            result.unreachable = last
        else:
            result.error = last
        return result
    for dependency in report["dependencies"]:
        if "skip_reason" in dependency:
            result.skipped[dependency["name"]] = dependency["skip_reason"]
            continue
        result.audited += 1
        for vuln in dependency.get("vulns", []):
            result.vulnerabilities.append(
                Vulnerability(
                    dependency["name"],
                    dependency["version"],
                    vuln["id"],
                    list(vuln.get("aliases", [])),
                    list(vuln.get("fix_versions", [])),
                )
            )
    return result


def audit(lock: Path, services: list[str], pip_audit: str) -> list[Result]:
    """Try each service until one answers for every package; every result, in order."""
    results = []
    for service in services:
        result = interpret(service, *run_pip_audit(pip_audit, lock, service))
        results.append(result)
        if result.complete or result.error:
            break
    return results


def describe(result: Result) -> str:
    if result.unreachable:
        return f"{result.service}: could not be reached ({result.unreachable})"
    if result.error:
        return f"{result.service}: pip-audit failed ({result.error})"
    if result.skipped:
        name, reason = next(iter(result.skipped.items()))
        return (
            f"{result.service}: answered for {result.audited} of {result.audited + len(result.skipped)} "
            f"packages (e.g. {name}: {reason})"
        )
    return f"{result.service}: every package looked up"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locks", nargs="+", type=Path, metavar="LOCK_FILE")
    parser.add_argument(
        "--if-reachable",
        action="store_true",
        help="exit 0, saying so, when no vulnerability database can be reached",
    )
    parser.add_argument("--service", action="append", choices=SERVICES, help="pypi, then osv, by default")
    parser.add_argument("--pip-audit", default=str(Path(sys.executable).with_name("pip-audit")))
    args = parser.parse_args(argv)
    services = args.service or list(SERVICES)
    out = sys.stdout

    vulnerable = False
    not_audited: list[str] = []
    failed = False
    partial = False
    for lock in args.locks:
        results = audit(lock, services, args.pip_audit)
        found = {(v.package, v.version, v.id): v for r in results for v in r.vulnerabilities}
        final = results[-1]
        if found:
            vulnerable = True
            out.write(f"{lock}: KNOWN VULNERABILITIES\n")
            for v in found.values():
                fixed = ", ".join(v.fix_versions) or "no fixed release yet"
                aliases = f" ({', '.join(v.aliases)})" if v.aliases else ""
                out.write(f"  {v.package}=={v.version}: {v.id}{aliases}; fixed in {fixed}\n")
        if final.error:
            failed = True
            out.write(f"{lock}: {describe(final)}\n")
        elif final.complete:
            if not found:
                out.write(f"{lock}: no known vulnerabilities in {final.audited} packages ({final.service})\n")
        elif any(result.audited for result in results):
            # A database answered for some packages and not others: that is no network
            # failure, and what it did not look up is not known to be safe.
            partial = True
            out.write(f"{lock}: PARTLY AUDITED\n")
            out.writelines(f"  {describe(result)}\n" for result in results)
        else:
            not_audited.append(str(lock))
            out.write(f"{lock}: NOT AUDITED\n")
            out.writelines(f"  {describe(result)}\n" for result in results)

    if vulnerable:
        out.write("Upgrade each package above to a fixed release in pyproject.toml or `make lock`.\n")
        return 1
    if failed:
        return 3
    if partial:
        return 2
    if not_audited:
        out.write(
            "No vulnerability database could be reached from here, so nothing above was audited. "
            "Run `make audit` where one can be (a machine with internet access) against the same "
            "lock files.\n"
        )
        return 0 if args.if_reachable else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
