"""Public profiles and a user's attempt history."""
from flask_jwt_extended import current_user
from flask_restx import Namespace

from app.errors import NotFound
from app.routes.attempt_common import attempt_page_response, register_attempt_models
from app.routes.common import AuthResource, ok
from app.routes.models import envelope, register_models, user_model
from app.services import attempts as attempt_service
from app.services import permissions
from app.services import users as user_service
from app.services.presenters import attempt_view, user_view

ns = Namespace("users", description="Users", path="/users")
register_attempt_models(ns)
register_models(ns, envelope("UserEnvelope", user_model))


@ns.route("/<int:user_id>")
class UserItem(AuthResource):
    @ns.response(200, "The user (`email` only for that user, admins and instructors)", ns.models["UserEnvelope"])
    def get(self, user_id: int):
        return ok(user_view(user_service.get_user(user_id), current_user))


@ns.route("/<int:user_id>/attempts")
class UserAttempts(AuthResource):
    @ns.doc(params={"page": "from 0", "size": "≤ 100", "challenge_id": "filter", "start": "ISO 8601", "end": "ISO 8601"})
    @ns.response(200, "Attempts, newest first", ns.models["AttemptPage"])
    def get(self, user_id: int):
        user_service.get_user(user_id)
        permissions.require_self_or_admin(user_id, current_user)
        return attempt_page_response(user_id)


@ns.route("/<int:user_id>/attempts/<int:attempt_id>")
class UserAttempt(AuthResource):
    @ns.response(200, "The attempt with case results", ns.models["AttemptEnvelope"])
    def get(self, user_id: int, attempt_id: int):
        user_service.get_user(user_id)
        permissions.require_self_or_admin(user_id, current_user)
        attempt = attempt_service.get_attempt(attempt_id)
        if attempt.user_id != user_id:
            raise NotFound("attempt not found")
        return ok(attempt_view(attempt, current_user))
