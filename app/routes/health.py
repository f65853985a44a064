"""Liveness of the parts the product depends on."""
from flask import current_app
from flask_restx import Namespace, Resource
from sqlalchemy import text

from app.extensions import db, judging as judging_service
from app.routes.common import ok

ns = Namespace("health", description="Health", path="/health")


def database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # health must report, never raise
        db.session.rollback()
        return f"error: {type(exc).__name__}"


@ns.route("")
class Health(Resource):
    def get(self):
        judging = judging_service.of(current_app)
        status = {"db": database_status(), "transport": judging.transport_status(),
                  "sandbox": judging.sandbox_status()}
        failing = [name for name, value in status.items() if value != "ok"]
        if failing:
            return {"status": "error", "message": f"degraded: {', '.join(failing)}", "data": status}, 503
        return ok(status)
