"""The browser client: `/` serves the single-page app, `/static/dist/<file>` its built assets.

The assets are built from `web/` by esbuild (`scripts/build_web.sh`) and not committed;
without them `/` explains how to build them instead of serving a blank page. The app talks
to the server only through the public REST API and Socket.IO events.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, render_template, send_from_directory

DIST_DIR = Path(__file__).resolve().parent / "static" / "dist"
ENTRY_SCRIPT = "main.js"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SQL Arena: web client not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The web client is not built yet</h1>
<p>Run <code>scripts/build_web.sh</code> (or <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>;
Node.js 18 or later), then reload this page.</p>
<p>The server itself works: the REST API is documented at <a href="/api/docs">/api/docs</a>.</p>
</body></html>
"""

web_client = Blueprint("webclient", __name__, template_folder="templates")


def assets_version() -> int | None:
    """The entry script's mtime: changes with every build, so browsers never run stale assets."""
    entry = DIST_DIR / ENTRY_SCRIPT
    return int(entry.stat().st_mtime) if entry.is_file() else None


@web_client.get("/")
def index():
    version = assets_version()
    if version is None:
        return NOT_BUILT_PAGE, 503, {"Content-Type": "text/html; charset=utf-8"}
    return render_template("index.html", version=version), 200, {"Cache-Control": "no-cache"}


@web_client.get("/static/dist/<path:filename>")
def asset(filename: str):
    return send_from_directory(DIST_DIR, filename)


def register_web_client(app: Flask) -> None:
    app.register_blueprint(web_client)
