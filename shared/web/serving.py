"""The web server: gunicorn, with the settings below, run by `trackmycrime web` (through
shared.web.gunicorn_conf) and, in a checkout, by `gunicorn` itself (gunicorn.conf.py). The
environment chooses where it listens and how many workers run (shared.config's
server_settings, which refuses a bad value by name); the rest is fixed here, and any of it
can still be changed for one run with gunicorn's own options or GUNICORN_CMD_ARGS.

- The app is loaded once, in the master, before the workers are forked: a missing
  setting stops the server at once with its name, and the workers share its memory.
- Workers are sync (one request at a time each): the app waits on its database, not on
  slow clients, which the proxy in front buffers. A worker silent for `timeout` seconds
  is killed and replaced; each is replaced after about `max_requests` requests, so that
  nothing a worker leaks grows for long. On SIGTERM the workers finish the requests in
  hand, for up to `graceful_timeout` seconds, under the 30 seconds Kubernetes and podman
  give before they kill.
- Forwarded headers are the app's to believe (TRUSTED_PROXIES, applied in the app
  factory by ProxyFix), so gunicorn believes none: it takes neither the scheme nor a
  script name from a header, whichever address sent it.
- Its own log lines and one access line per request are written by the service's log
  handler (shared.web.logs): JSON lines in production, carrying the request's id; the
  query string is left out (links carry tokens, sign-in callbacks carry codes), and the
  handler hides the token in any link's path.
- Metrics (shared.web.metrics): with PROMETHEUS_MULTIPROC_DIR set, each worker keeps its
  counts in that directory and a scrape adds them up. The master empties it of the files
  left by an earlier run before the workers start, and tells prometheus-client when a
  worker has gone.
- Nothing is written beside the code: no pid file, no control socket, and the workers'
  heartbeat files in /dev/shm (memory) where there is one.
"""

import glob
import logging
import os
from collections.abc import Mapping

from gunicorn import glogging
from prometheus_client import multiprocess

from shared.config import ConfigError, server_settings
from shared.web import logs

# The app, made by the factory in the master (preload_app).
APP = "shared.factory:create_app()"
# Where the workers' heartbeat files go: memory, so that a slow disk never stalls them.
SHARED_MEMORY = "/dev/shm"  # noqa: S108  (gunicorn's own advice for containers)


def settings(environ: Mapping[str, str] | None = None) -> dict:
    """gunicorn's settings, by gunicorn's names, from the environment and the rules
    above. Raises ConfigError naming a bad setting."""
    server = server_settings(environ)
    return {
        "wsgi_app": APP,
        "bind": server["bind"],
        "workers": server["workers"],
        "worker_class": "sync",
        "preload_app": True,
        "timeout": 30,
        "graceful_timeout": 25,
        # Only for a threaded or asynchronous worker class, if one is chosen: the sync
        # workers close each connection after its response.
        "keepalive": 5,
        "max_requests": 1000,
        "max_requests_jitter": 100,
        # The request line (method, address, query string) and the headers: the app's
        # longest addresses carry a token of 43 characters; a browser sends about 20 headers.
        "limit_request_line": 4094,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        # The app alone believes forwarded headers (TRUSTED_PROXIES).
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        "accesslog": "-",
        "errorlog": "-",
        "logger_class": ServiceLogger,
        "worker_tmp_dir": SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) else None,
        "control_socket_disable": True,
        "on_starting": on_starting,
        "child_exit": child_exit,
    }


def on_starting(server) -> None:
    """In the master, before the workers start."""
    settings = server_settings()
    refuse_several_single_processes(settings, server.cfg.workers)
    prepare_metrics_directory(settings, server.cfg.workers)


def refuse_several_single_processes(server: dict, workers: int) -> None:
    """SINGLE_PROCESS=on lets production run without Redis because one process counts the
    sign-in guesses; several gunicorn workers would each count their own."""
    if server["single_process"] and workers > 1:
        raise ConfigError(
            f"SINGLE_PROCESS is on but gunicorn runs {workers} workers (WEB_CONCURRENCY): each would count "
            "sign-in guesses of its own. Set WEB_CONCURRENCY=1, or set REDIS_URL and turn SINGLE_PROCESS off."
        )


def prepare_metrics_directory(server: dict, workers: int) -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR of the counts of processes that have gone, which
    would otherwise be added to this run's. Raises ConfigError when the metrics are
    served by several workers without it: each scrape would show one worker's counts."""
    directory = server["metrics_directory"]
    if directory is None:
        if server["metrics"] and workers > 1:
            raise ConfigError(
                f"PROMETHEUS_MULTIPROC_DIR is not set. The metrics are served (METRICS_TOKEN) by {workers} "
                "web workers: set it to an empty directory the service can write to (a tmpfs), so that a "
                "scrape adds up every worker's counts."
            )
        return
    for path in glob.glob(os.path.join(directory, "*.db")):
        os.remove(path)


def child_exit(server, worker) -> None:
    """In the master, when a worker has gone: its live gauges go with it (its counters
    stay, part of the totals)."""
    directory = server_settings()["metrics_directory"]
    if directory is not None:
        multiprocess.mark_process_dead(worker.pid, directory)


class _ThroughService(logging.Handler):
    """Hands each record to the service's log handler, which the app sets up when it is
    made (shared.web.logs); before that, gunicorn's first lines go to its own."""

    def __init__(self, own: logging.Handler):
        super().__init__()
        self.own = own

    def emit(self, record: logging.LogRecord) -> None:
        (logs.handler() or self.own).handle(record)


def _header(headers, name: str) -> str | None:
    pairs = headers.items() if hasattr(headers, "items") else headers
    return next((value for key, value in pairs if key.lower() == name), None)


class ServiceLogger(glogging.Logger):
    """gunicorn's logger, its lines written as the service's own (see above)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            own = self._get_gunicorn_handler(log)
            if own is not None:
                log.removeHandler(own)
                through = _ThroughService(own)
                through._gunicorn = True  # type: ignore[attr-defined]  # gunicorn's mark for the handlers it replaces
                log.addHandler(through)

    def access(self, resp, req, environ, request_time) -> None:
        """One line per request: method, path (without the query string), status, bytes
        sent, time taken, the client's address (as the app believes it) and the request's
        id, which the app and its static files answer with (X-Request-ID)."""
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method = environ.get("REQUEST_METHOD", "-")
        # A WSGI path is UTF-8 bytes read as Latin-1.
        path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1", "replace")
        path = path.decode("utf-8", "replace")
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "request_id": _header(resp.headers, "x-request-id"),
                "method": method,
                "path": path,
                "status": int(status),
                # What a file sent by sendfile() took is not counted in `sent`.
                "bytes": getattr(resp, "sent", 0) or getattr(resp, "response_length", None) or 0,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )
