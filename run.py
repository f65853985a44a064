"""Serves SQL Arena: `python run.py` runs the whole product on the embedded default."""
import eventlet

eventlet.monkey_patch()  # must come first; the only other eventlet-aware module is app/concurrency.py

import sys  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import socketio  # noqa: E402
from app.startup import prepare  # noqa: E402


def main() -> None:
    app = create_app()
    prepare(app, announce=lambda line: print(line, file=sys.stderr, flush=True))
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"SQL Arena on http://{host}:{port}  (API docs: /api/docs)", file=sys.stderr, flush=True)
    socketio.run(app, host=host, port=port, log_output=False)


if __name__ == "__main__":
    main()
