"""CSV downloads for gradebooks: chosen by `?format=csv` or `Accept: text/csv`."""
from __future__ import annotations

import csv
import io

from flask import Response, request


def wants_csv() -> bool:
    if request.args.get("format", "").lower() == "csv":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv" and request.accept_mimetypes["text/csv"] > request.accept_mimetypes["application/json"]


def _safe_cell(value):
    """Neutralises spreadsheet formulas (=, +, -, @) in user-provided text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(filename: str, columns: list[str], rows: list[list]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def standings_csv(room_id: int, standings: list[dict], challenge_ids: list[int]) -> Response:
    columns = ["rank", "user_id", "full_name", "total_score", "elapsed_s", "forfeited"] + \
        [f"challenge_{cid}" for cid in challenge_ids]
    rows = [[s["rank"], s["user_id"], s["full_name"], s["total_score"], s["elapsed_s"], s["forfeited"]] +
            [s["per_challenge"].get(str(cid), 0) for cid in challenge_ids] for s in standings]
    return csv_response(f"room-{room_id}-standings.csv", columns, rows)


def leaderboard_csv(challenge_id: int, entries: list[dict]) -> Response:
    columns = ["rank", "user_id", "full_name", "attempt_id", "score", "execution_ms", "created_at"]
    return csv_response(f"challenge-{challenge_id}-leaderboard.csv", columns,
                        [[e[c] for c in columns] for e in entries])
