"""Admin and instructor tools: accounts, analytics, similar attempts."""
from flask_jwt_extended import current_user
from flask_restx import Model, Namespace, fields

from app.routes.auth import password_field
from app.errors import BadRequest
from app.routes.common import (AuthResource, json_body, ok, page_meta, pagination, query_datetime, query_int, query_str,
                               require_role)
from app.routes.models import envelope, error_model, register_models, user_model
from app.models.user import ROLES
from app.services import fields as f
from app.services import analytics as analytics_service
from app.services import analytics_trends
from app.services import challenges as challenge_service
from app.services import similarity
from app.services import users as user_service
from app.services.presenters import user_view

ns = Namespace("admin", description="Administration", path="/admin")
new_user_body = Model("AdminNewUser", {
    "email": fields.String(required=True), "full_name": fields.String(required=True),
    "password": fields.String(required=True), "role": fields.String(required=True, enum=list(ROLES)),
})
password_body = Model("AdminPassword", {"password": fields.String(required=True)})
role_body = Model("AdminRole", {"role": fields.String(required=True, enum=list(ROLES))})
trends_model = Model("AnalyticsTrends", {
    "challenge_id": fields.Integer,
    "period": fields.String(enum=["hour", "day"], description="hour when the attempts span two days at most"),
    "acceptance": fields.List(fields.Nested(Model("AcceptancePeriod", {
        "period_start": fields.String(description="UTC, e.g. 2026-12-01 or 2026-12-01T10:00"),
        "judged": fields.Integer, "accepted": fields.Integer}))),
    "execution_ms": fields.List(fields.Nested(Model("ExecutionBin", {
        "from_ms": fields.Float, "to_ms": fields.Float, "attempts": fields.Integer})),
        description="10 equal ranges from the fastest to the slowest judged attempt"),
})
register_models(ns, new_user_body, password_body, role_body, error_model, envelope("AdminUserEnvelope", user_model),
                envelope("AdminUserPage", user_model, as_list=True, paginated=True),
                envelope("AnalyticsTrendsEnvelope", trends_model))


@ns.route("/users")
class AdminUsers(AuthResource):
    @ns.doc(params={"page": {"type": "integer", "description": "from 0"}, "size": {"type": "integer", "description": "≤ 100"},
                    "q": {"type": "string", "description": "part of the name or e-mail, any case"},
                    "role": {"type": "string", "enum": list(ROLES)}})
    @ns.response(200, "Users, newest first", ns.models["AdminUserPage"])
    @ns.response(400, "A filter of the wrong type or too long", ns.models["Error"])
    @ns.response(403, "Not an admin", ns.models["Error"])
    def get(self):
        require_role("admin")
        page, size = pagination()
        role = query_str("role", 20)
        if role is not None and role not in ROLES:
            raise BadRequest(f"'role' must be one of {', '.join(ROLES)}")
        users, total = user_service.search_users(query_str("q", 200), role, page, size)
        return ok([user_view(user, current_user) for user in users], meta=page_meta(total, page, size))

    @ns.expect(new_user_body)
    @ns.response(201, "Created", ns.models["AdminUserEnvelope"])
    def post(self):
        require_role("admin")
        body = json_body()
        email = f.email(body)
        full_name = f.string(body, "full_name", 200)
        password = password_field(body)
        role = f.choice(body, "role", ROLES)
        return ok(user_view(user_service.create_user(email, full_name, password, role), current_user), 201)


@ns.route("/users/<int:user_id>/role")
class AdminRole(AuthResource):
    @ns.expect(role_body)
    @ns.response(200, "Role changed", ns.models["AdminUserEnvelope"])
    @ns.response(400, "Missing or mistyped `role`", ns.models["Error"])
    @ns.response(403, "Not an admin", ns.models["Error"])
    @ns.response(404, "No such user", ns.models["Error"])
    @ns.response(409, "An admin changing their own role", ns.models["Error"])
    @ns.response(422, "Not a known role", ns.models["Error"])
    def put(self, user_id: int):
        require_role("admin")
        user = user_service.get_user(user_id)
        role = f.choice(json_body(), "role", ROLES)
        return ok(user_view(user_service.set_role(user, role, current_user), current_user))


@ns.route("/users/<int:user_id>/password")
class AdminPassword(AuthResource):
    @ns.expect(password_body)
    @ns.response(200, "Password set", ns.models["AdminUserEnvelope"])
    def post(self, user_id: int):
        require_role("admin")
        user = user_service.get_user(user_id)
        return ok(user_view(user_service.set_password(user, password_field(json_body())), current_user))


@ns.route("/analytics")
class Analytics(AuthResource):
    @ns.doc(params={"challenge_id": "only this challenge", "start": "ISO 8601", "end": "ISO 8601"})
    def get(self):
        """Per challenge: attempts, users, acceptance, verdicts, median time, per-case pass rates."""
        items = analytics_service.analytics(current_user, query_int("challenge_id", minimum=1),
                                            query_datetime("start"), query_datetime("end"))
        return ok(items)


@ns.route("/analytics/trends")
class AnalyticsTrends(AuthResource):
    @ns.doc(params={"challenge_id": {"type": "integer", "required": True},
                    "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}})
    @ns.response(200, "One challenge's judged attempts: acceptance per period, execution-time histogram",
                 ns.models["AnalyticsTrendsEnvelope"])
    @ns.response(400, "`challenge_id` missing or not an integer, or a malformed time", ns.models["Error"])
    @ns.response(403, "A player, or another instructor's challenge", ns.models["Error"])
    @ns.response(404, "No such challenge", ns.models["Error"])
    def get(self):
        challenge_id = query_int("challenge_id", minimum=1)
        if challenge_id is None:
            raise BadRequest("'challenge_id' is required")
        return ok(analytics_trends.trends(current_user, challenge_id, query_datetime("start"), query_datetime("end")))


@ns.route("/similar-attempts")
class SimilarAttempts(AuthResource):
    @ns.doc(params={"challenge_id": "required"})
    def get(self):
        """Pairs of different users' accepted attempts whose normalised parse trees (names, literals, whitespace,
        keyword case) are identical; rarest structure first, each with `shared_by` (users sharing it)."""
        challenge_id = query_int("challenge_id", minimum=1)
        if challenge_id is None:
            raise BadRequest("'challenge_id' is required")
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        return ok(similarity.similar_pairs_for(challenge, current_user))
