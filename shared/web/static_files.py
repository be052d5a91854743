"""Static files, answered by WhiteNoise before Flask, each also under a name that
carries a hash of its content, so that browsers and proxies keep it for a year and
never ask for it again.

A template's `url_for("static", filename="app.css")` gives `/assets/app.<hash>.css`. A
changed file has a new hash, hence a new address: nobody is served an old copy, so the
copy kept may be kept for good (`immutable`). The names without the hash still work,
with a short cache, for what asks for files by their plain names: the GOV.UK Frontend
CSS (its fonts and images at /assets/fonts/... and /assets/images/...), the GOV.UK
module that app.js imports from beside it, and manifest.json's icons.

The hashes are worked out once, when the app starts: the files of a release never
change while it runs, and nothing is written next to the code. In development Flask
serves the files as they are on disk, so an edited file shows at the next reload.

Answering before Flask spares every file request the app's hooks (and a signed-in
user's session query), but the headers every response carries are added here too.
"""

import hashlib
import os
import secrets
from collections.abc import Iterator

from whitenoise import WhiteNoise

from shared.web.hooks import new_request_id, security_headers

LONG_CACHE = "public, max-age=31536000, immutable"
# A plain name may be given new content by the next release: kept for ten minutes, so
# that the pages of one visit do not ask again, and a release shows soon after.
SHORT_CACHE = "public, max-age=600"
# Hex digits of the SHA-256 kept in a name: enough that two versions of a file never
# share one.
HASH_LENGTH = 12
# WhiteNoise serves these beside the file they compress; they are not files of their own.
COMPRESSED = (".gz", ".br")


def fingerprinted(name: str, content: bytes) -> str:
    """The name with the hash of `content` before its extension:
    `vendor/govuk-frontend.min.css` -> `vendor/govuk-frontend.min.<hash>.css`."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, slash, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem:
        return f"{name}.{digest}"
    return f"{folder}{slash}{stem}.{digest}.{extension}"


def _files(folder: str) -> Iterator[str]:
    for entry in os.scandir(folder):
        if entry.is_dir():
            yield from _files(entry.path)
        elif not entry.name.endswith(COMPRESSED):
            yield entry.path


def fingerprints(folder: str) -> dict[str, str]:
    """{name: name with its hash} for every file under `folder`, with `/` between
    folders as in a URL."""
    names = {}
    for path in sorted(_files(folder)):
        name = os.path.relpath(path, folder).replace(os.sep, "/")
        with open(path, "rb") as handle:
            names[name] = fingerprinted(name, handle.read())
    return names


class StaticFiles(WhiteNoise):
    """WhiteNoise answering each file under both its names: the name with its hash for
    a year, the plain name for a short while."""

    def __init__(self, application, folder: str, prefix: str, names: dict[str, str]):
        prefix = prefix.rstrip("/") + "/"
        self.long_lived = {prefix + hashed for hashed in names.values()}
        super().__init__(application, allow_all_origins=False)
        self.add_files(folder, prefix)
        for name, hashed in names.items():
            self.files[prefix + hashed] = self.get_static_file(os.path.join(folder, name), prefix + hashed)

    def add_cache_headers(self, headers, path, url):
        headers["Cache-Control"] = LONG_CACHE if url in self.long_lived else SHORT_CACHE

    def serve(self, static_file, environ, start_response):
        def start_with_our_headers(status, headers, exc_info=None):
            # A fresh nonce, as for a page: an SVG opened on its own is a document the
            # policy applies to, and a nonce that never changed would be one anybody knows.
            ours = security_headers(secrets.token_urlsafe(16))
            ours["X-Request-ID"] = new_request_id()
            return start_response(status, [*headers, *ours.items()], exc_info)

        return super().serve(static_file, environ, start_with_our_headers)


def init_app(app) -> None:
    """Serve the app's static folder with WhiteNoise, and make `url_for("static", ...)`
    give each file's name with its hash. Not in development (see above)."""
    if app.config["APP_ENV"] == "development":
        return
    names = fingerprints(app.static_folder)
    app.extensions["static_fingerprints"] = names
    app.wsgi_app = StaticFiles(app.wsgi_app, app.static_folder, app.static_url_path, names)

    @app.url_defaults
    def _name_with_hash(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = names.get(values["filename"], values["filename"])
