"""The overall ranking of users across every challenge (SPEC 9.6)."""
from flask_restx import Namespace

from app.routes.common import AuthResource, ok, page_meta, pagination
from app.routes.models import envelope, overall_entry_model, register_models
from app.services import leaderboard

ns = Namespace("leaderboard", description="Overall ranking", path="/leaderboard")
register_models(ns, envelope("OverallLeaderboardPage", overall_entry_model, as_list=True, paginated=True))


@ns.route("")
class OverallLeaderboard(AuthResource):
    @ns.doc(params={"page": {"type": "integer", "description": "from 0"},
                    "size": {"type": "integer", "description": "≤ 100, default 20"}})
    @ns.response(200, "Challenges solved desc, total best score desc, last first-solve asc",
                 ns.models["OverallLeaderboardPage"])
    def get(self):
        page, size = pagination()
        entries, total = leaderboard.overall(page, size)
        return ok(entries, meta=page_meta(total, page, size))
