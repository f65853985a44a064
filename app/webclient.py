"""The browser client: `/` serves the single-page app, `/static/dist/<file>` its built assets.

The assets are built from `web/` by esbuild (`scripts/build_web.sh`) and not committed: minified,
with content-hashed names listed in `manifest.json`, and a gzip copy beside each. The index page
is `no-cache` (it names the current files); a hashed file never changes, so browsers keep it for
a year without asking again. Without a build, `/` explains how to make one instead of serving a
blank page. The app talks to the server only through the public REST API and Socket.IO events.
"""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Optional

from flask import Blueprint, Flask, abort, render_template, request, send_from_directory

DIST_DIR = Path(__file__).resolve().parent / "static" / "dist"
MANIFEST = DIST_DIR / "manifest.json"
IMMUTABLE = "public, max-age=31536000, immutable"

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
_manifest_cache: tuple[float, dict] = (0.0, {})


def asset_names() -> Optional[dict]:
    """{"main.js": "main-<hash>.js", "main.css": …} of the current build, re-read when it changes."""
    global _manifest_cache
    try:
        mtime = MANIFEST.stat().st_mtime
    except FileNotFoundError:
        return None
    if mtime != _manifest_cache[0]:
        _manifest_cache = (mtime, json.loads(MANIFEST.read_text()))
    return _manifest_cache[1]


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


@web_client.get("/")
def index():
    names = asset_names()
    if not names:
        return NOT_BUILT_PAGE, 503, {"Content-Type": "text/html; charset=utf-8"}
    return render_template("index.html", script=names["main.js"], stylesheet=names.get("main.css")), 200, \
        {"Cache-Control": "no-cache"}


@web_client.get("/static/dist/<path:filename>")
def asset(filename: str):
    """A built file, gzipped when the browser accepts it; hashed names are cached as immutable."""
    if filename == MANIFEST.name:
        abort(404)
    compressed = (DIST_DIR / f"{filename}.gz").is_file() and _accepts_gzip()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = send_from_directory(DIST_DIR, f"{filename}.gz" if compressed else filename, mimetype=mimetype)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
        response.headers.pop("Content-Disposition", None)   # would name the .gz file
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = IMMUTABLE
    return response


def register_web_client(app: Flask) -> None:
    app.register_blueprint(web_client)
