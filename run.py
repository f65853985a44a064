"""Serves SQL Arena: `python run.py` runs the whole product on the embedded default."""
import eventlet

eventlet.monkey_patch()  # must come first; the only other eventlet-aware module is app/concurrency.py

import resource  # noqa: E402
import sys  # noqa: E402

import eventlet.wsgi  # noqa: E402

from app import create_app  # noqa: E402
from app.startup import prepare  # noqa: E402


def main() -> None:
    app = create_app()
    prepare(app, announce=lambda line: print(line, file=sys.stderr, flush=True))
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"SQL Arena on http://{host}:{port}  (API docs: /api/docs)", file=sys.stderr, flush=True)
    serve(app, host, port, app.config["SERVER_MAX_CONNECTIONS"])


def serve(app, host: str, port: int, max_connections: int) -> None:
    """eventlet's WSGI server with room for many websockets: its default pool holds 1,024
    connections and its listen backlog 50, so a crowd of players would be turned away."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max_connections + 256     # one descriptor per connection, plus files and databases
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    listener = eventlet.listen((host, port), backlog=1024)
    eventlet.wsgi.server(listener, app, log_output=False, max_size=max_connections)


if __name__ == "__main__":
    main()
