"""Submitting attempts and reading them (one's own; creators and hosts read their students')."""
from flask_jwt_extended import current_user
from flask_restx import Model, Namespace, fields

from app.routes.attempt_common import attempt_page_response, register_attempt_models
from app.routes.common import AuthResource, json_body, ok, query_float
from app.routes.models import envelope, register_models
from app.services import attempts as attempt_service
from app.services.attempt_wait import MAX_WAIT_S, wait_until_judged
from app.services import fields as f
from app.services.presenters import attempt_view

ns = Namespace("attempts", description="Attempts (submissions)", path="/attempts")
register_attempt_models(ns)
submit_body = Model("SubmitBody", {
    "challenge_id": fields.Integer(required=True), "query": fields.String(required=True),
    "room_id": fields.Integer(description="counts in that room while it is RUNNING"),
})
quota_model = Model("Quota", {"remain": fields.Integer, "total": fields.Integer})
register_models(ns, submit_body, envelope("QuotaEnvelope", quota_model))


@ns.route("")
class AttemptList(AuthResource):
    @ns.doc(params={"page": "from 0", "size": "≤ 100", "challenge_id": "filter", "start": "ISO 8601", "end": "ISO 8601"})
    @ns.response(200, "Own attempts, newest first", ns.models["AttemptPage"])
    def get(self):
        return attempt_page_response(current_user.id)

    @ns.expect(submit_body)
    @ns.response(202, "Queued for judging", ns.models["AttemptEnvelope"])
    @ns.response(429, "Over the daily quota or the rate limit (not stored)")
    def post(self):
        body = json_body()
        challenge_id = f.integer(body, "challenge_id", 1, 2**31 - 1)
        query = f.string(body, "query", attempt_service.MAX_QUERY_CHARS, allow_empty=True)
        room_id = f.integer(body, "room_id", 1, 2**31 - 1, required=False)
        attempt = attempt_service.submit(current_user, challenge_id, query, room_id)
        return ok(attempt.to_dict(with_cases=True), 202)


@ns.route("/quota")
class Quota(AuthResource):
    @ns.response(200, "Today's allowance (UTC)", ns.models["QuotaEnvelope"])
    def get(self):
        return ok(attempt_service.quota(current_user.id))


@ns.route("/<int:attempt_id>")
class AttemptItem(AuthResource):
    @ns.doc(params={"wait": {"type": "number", "minimum": 0, "maximum": MAX_WAIT_S,
                             "description": "seconds to wait for COMPLETED or FAILED before answering"}})
    @ns.response(200, "The attempt with case results (hidden cases' data for the challenge's creator, "
                      "the room's host and admins)", ns.models["AttemptEnvelope"])
    @ns.response(403, "Not the owner, the challenge's creator, the room's host or an admin")
    def get(self, attempt_id: int):
        wait_s = query_float("wait", 0.0, minimum=0.0, maximum=MAX_WAIT_S)
        attempt = attempt_service.read_attempt(attempt_id, current_user)
        if wait_s:
            attempt = wait_until_judged(attempt, wait_s)
        return ok(attempt_view(attempt, current_user))
