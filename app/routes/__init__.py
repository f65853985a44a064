"""The REST API: one Namespace per file, gathered into one Api with one error handler."""
from flask import Blueprint
from flask_restx import Api

from app.errors import error_envelope
from app.routes import admin, attempts, auth, challenges, health, leaderboard, rooms, samples, users

NAMESPACES = (auth.ns, users.ns, challenges.ns, samples.ns, attempts.ns, leaderboard.ns, rooms.ns, admin.ns, health.ns)


def build_api_blueprint() -> Blueprint:
    blueprint = Blueprint("api", __name__, url_prefix="/api")
    api = Api(
        blueprint,
        title="SQL Arena API",
        version="1.0",
        description="Live SQL competition server. Every response is {status, data} or {status, message}.",
        doc="/docs",
        authorizations={"bearer": {"type": "apiKey", "in": "header", "name": "Authorization",
                                   "description": "Bearer <access token>"}},
        security="bearer",
    )
    for namespace in NAMESPACES:
        api.add_namespace(namespace)

    @api.errorhandler(Exception)
    def handle_any_error(exc):
        return error_envelope(exc)

    return blueprint

