"""Challenges, their test cases, rejudging, the Run button and the leaderboard."""
from flask import Response, current_app, request
from flask_jwt_extended import current_user
from flask_restx import Model, Namespace, fields

from app.judge.verdicts import VERDICTS
from app.routes.attempt_common import (STAFF_FILTERS, WINDOW_FILTERS, attempts_response, query_id, query_verdict,
                                       register_attempt_models)
from app.routes.csv_export import csv_response, wants_csv
from app.routes.common import AuthResource, json_body, ok, page_meta, pagination, query_bool, query_datetime, query_int, query_str
from app.extensions import judging as judging_extension
from app.routes.models import envelope, leaderboard_model, register_models
from app.services import attempts as attempt_service
from app.services import challenges as challenge_service
from app.services import fields as f
from app.errors import BadRequest
from app.services import gradebook, leaderboard
from app.services import problem_sets
from app.services.attempts import MAX_QUERY_CHARS

ns = Namespace("challenges", description="SQL challenges", path="/")
register_attempt_models(ns)

test_case_model = Model("TestCase", {
    "id": fields.Integer, "challenge_id": fields.Integer,
    "data": fields.String(description="INSERTs for one dataset; null for hidden cases unless creator/admin"),
    "is_visible": fields.Boolean, "created_at": fields.DateTime,
})
test_case_body = Model("TestCaseBody", {"data": fields.String(required=True), "is_visible": fields.Boolean(default=True)})
challenge_model = Model("Challenge", {
    "id": fields.Integer, "created_user_id": fields.Integer, "name": fields.String,
    "description": fields.String, "type": fields.String(enum=["FE", "LE"]),
    "engine": fields.String(enum=["sqlite", "postgresql"]), "init": fields.String,
    "solution": fields.String(description="creator and admins only"), "time_limit_ms": fields.Integer,
    "check_column_names": fields.Boolean, "test_cases": fields.List(fields.Nested(test_case_model)),
    "visibility": fields.String(enum=["public", "draft", "room"]),
    "release_at": fields.DateTime(description="like draft until then (public challenges)"),
    "difficulty": fields.String(enum=["easy", "medium", "hard"]), "tags": fields.List(fields.String),
    "hint_count": fields.Integer(description="how many hints exist (revealed one at a time)"),
    "hints": fields.List(fields.String, description="creator and admins only"),
    "explanation": fields.String(description="creator and admins only; others get it with the solution"),
    "warnings": fields.List(fields.String, description="POST/PUT only: what validation noticed without refusing, "
                                                       "e.g. that rows will be checked in exactly the solution's order"),
    "created_at": fields.DateTime, "updated_at": fields.DateTime,
})
challenge_body = Model("ChallengeBody", {
    "name": fields.String(required=True, max_length=200), "description": fields.String(max_length=20000),
    "type": fields.String(required=True, enum=["FE", "LE"]),
    "engine": fields.String(enum=["sqlite", "postgresql"], default="sqlite"),
    "init": fields.String(required=True, description="DDL"), "solution": fields.String(required=True),
    "time_limit_ms": fields.Integer(default=2000, max=10000), "check_column_names": fields.Boolean(default=True),
    "test_cases": fields.List(fields.Nested(test_case_body), required=True),
    "visibility": fields.String(enum=["public", "draft", "room"], default="public",
                                description="`public`/`room` need a role in CHALLENGE_PUBLISH_ROLES (else 403)"),
    "release_at": fields.DateTime(description="ISO 8601 or null"),
    "difficulty": fields.String(enum=["easy", "medium", "hard"], description="or null"),
    "tags": fields.List(fields.String, description="≤ 10, each ≤ 40 characters"),
    "hints": fields.List(fields.String, description="ordered; revealed one at a time"),
    "explanation": fields.String(description="shown with the solution"),
})
hint_model = Model("Hint", {
    "index": fields.Integer, "text": fields.String, "revealed": fields.List(fields.String),
    "remaining": fields.Integer,
})
revealed_hints_model = Model("RevealedHints", {
    "revealed": fields.List(fields.String, description="the caller's revealed hints, in order"),
    "remaining": fields.Integer,
})
solution_model = Model("Solution", {
    "challenge_id": fields.Integer, "solution": fields.String, "explanation": fields.String,
})
run_body = Model("RunBody", {"query": fields.String(required=True)})
result_rows = Model("ResultRows", {
    "columns": fields.List(fields.String), "rows": fields.Raw(description="rows of JSON values, ≤ 100, values ≤ 1,000 characters"),
    "truncated": fields.Boolean,
})
run_result = Model("RunResult", {
    "test_case_id": fields.Integer, "columns": fields.List(fields.String), "rows": fields.Raw,
    "truncated": fields.Boolean, "execution_ms": fields.Float, "error": fields.String,
    "expected": fields.Nested(result_rows, allow_null=True, description="the solution's result on this case"),
    "verdict": fields.String(description="what judging would answer for this case"),
    "feedback": fields.String(description="a WRONG_ANSWER's one line"),
})
register_models(ns, test_case_body, challenge_body, run_body,
                envelope("ChallengeEnvelope", challenge_model),
                envelope("ChallengePage", challenge_model, as_list=True, paginated=True),
                envelope("TestCaseEnvelope", test_case_model),
                envelope("RunResults", run_result, as_list=True),
                envelope("LeaderboardPage", leaderboard_model, paginated=True),
                envelope("HintEnvelope", hint_model), envelope("RevealedHintsEnvelope", revealed_hints_model),
                envelope("SolutionEnvelope", solution_model))
LIST_FILTERS = {
    "page": {"type": "integer", "description": "from 0"}, "size": {"type": "integer", "description": "≤ 100"},
    "q": {"type": "string", "description": "substring of the name or description"},
    "tag": {"type": "string"}, "difficulty": {"type": "string", "enum": ["easy", "medium", "hard"]},
    "solved": {"type": "boolean", "description": "whether the caller has an ACCEPTED attempt"},
    "created_by": {"type": "integer", "description": "creator's user id"},
}


def view(challenge) -> dict:
    return challenge.to_dict(reveal=challenge_service.can_manage(challenge, current_user))


def validated_view(challenge) -> dict:
    """A created or updated challenge, with what validation noticed without refusing it."""
    return {**view(challenge), "warnings": challenge_service.validation_warnings(challenge)}


def challenge_page(creator_id):
    page, size = pagination()
    items, total = challenge_service.list_challenges(
        current_user, page, size, creator_id=creator_id, q=query_str("q", challenge_service.MAX_SEARCH_CHARS),
        tag=query_str("tag", challenge_service.MAX_TAG_CHARS), difficulty=query_str("difficulty", 10),
        solved=query_bool("solved"))
    return ok([view(c) for c in items], meta=page_meta(total, page, size))


def judging():
    return judging_extension.of(current_app)


@ns.route("/challenges")
class ChallengeList(AuthResource):
    @ns.doc(params=LIST_FILTERS)
    @ns.response(200, "The challenges the caller may see", ns.models["ChallengePage"])
    def get(self):
        return challenge_page(query_int("created_by", minimum=1))

    @ns.expect(challenge_body)
    @ns.response(201, "Created", ns.models["ChallengeEnvelope"])
    @ns.response(422, "Invalid values, or init/test data/solution fail on the engine")
    def post(self):
        challenge = challenge_service.create_challenge(current_user, json_body())
        return ok(validated_view(challenge), 201)


@ns.route("/challenges/<int:challenge_id>")
class ChallengeItem(AuthResource):
    @ns.response(200, "The challenge", ns.models["ChallengeEnvelope"])
    def get(self, challenge_id: int):
        return ok(view(challenge_service.get_challenge(challenge_id, current_user)))

    @ns.expect(challenge_body)
    @ns.response(200, "Updated", ns.models["ChallengeEnvelope"])
    def put(self, challenge_id: int):
        challenge = challenge_service.get_managed(challenge_id, current_user)
        return ok(validated_view(challenge_service.update_challenge(challenge, json_body(), current_user)))

    def delete(self, challenge_id: int):
        challenge = challenge_service.get_managed(challenge_id, current_user)
        return ok({"id": challenge_service.delete_challenge(challenge)})


@ns.route("/challenges-by-user/<int:user_id>")
class ChallengesByUser(AuthResource):
    @ns.doc(params={k: v for k, v in LIST_FILTERS.items() if k != "created_by"})
    @ns.response(200, "That user's challenges the caller may see", ns.models["ChallengePage"])
    def get(self, user_id: int):
        return challenge_page(user_id)


@ns.route("/challenges/<int:challenge_id>/test-cases")
class TestCaseList(AuthResource):
    @ns.expect(test_case_body)
    @ns.response(201, "Created", ns.models["TestCaseEnvelope"])
    def post(self, challenge_id: int):
        challenge = challenge_service.get_managed(challenge_id, current_user)
        case = challenge_service.add_test_case(challenge, json_body())
        return ok(case.to_dict(reveal=True), 201)


@ns.route("/challenges/<int:challenge_id>/test-cases/<int:test_case_id>")
class TestCaseItem(AuthResource):
    @ns.expect(test_case_body)
    @ns.response(200, "Updated", ns.models["TestCaseEnvelope"])
    def put(self, challenge_id: int, test_case_id: int):
        challenge = challenge_service.get_managed(challenge_id, current_user)
        case = challenge_service.get_test_case(challenge, test_case_id)
        return ok(challenge_service.update_test_case(challenge, case, json_body()).to_dict(reveal=True))

    def delete(self, challenge_id: int, test_case_id: int):
        challenge = challenge_service.get_managed(challenge_id, current_user)
        case = challenge_service.get_test_case(challenge, test_case_id)
        return ok({"id": challenge_service.delete_test_case(challenge, case)})


@ns.route("/challenges/<int:challenge_id>/rejudge")
class Rejudge(AuthResource):
    def post(self, challenge_id: int):
        challenge = challenge_service.get_managed(challenge_id, current_user)
        return ok({"queued": judging().rejudge(challenge)})


@ns.route("/challenges/<int:challenge_id>/run")
class RunQuery(AuthResource):
    @ns.expect(run_body)
    @ns.response(200, "The query's result on each visible test case", ns.models["RunResults"])
    def post(self, challenge_id: int):
        query = f.string(json_body(), "query", MAX_QUERY_CHARS, allow_empty=True)
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        return ok(judging().run_preview(current_user.id, challenge, query))


@ns.route("/challenges/<int:challenge_id>/leaderboard")
class Leaderboard(AuthResource):
    @ns.doc(params={"page": {"type": "integer", "description": "from 0"},
                    "size": {"type": "integer", "description": f"default and max {leaderboard.MAX_ENTRIES}"},
                    "format": {"type": "string", "enum": ["json", "csv"],
                               "description": "csv (or Accept: text/csv): the gradebook, creator and admins only"}})
    @ns.produces(["application/json", "text/csv"])
    @ns.response(200, "Each user once with their best completed attempt; `meta.total` counts them all. As CSV "
                      "one row per user: rank, user_id, email, full_name, then (named by the challenge's name) "
                      "best score, attempts, seconds from their first attempt to the first ACCEPTED one, "
                      "then total_score, total_attempts", ns.models["LeaderboardPage"])
    @ns.response(400, "`format` other than json or csv")
    @ns.response(403, "CSV asked by someone other than the creator or an admin")
    def get(self, challenge_id: int):
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        if wants_csv():
            return csv_response(f"challenge-{challenge.id}-leaderboard.csv",
                                *gradebook.challenge_gradebook(challenge, current_user))
        page, size = pagination(default_size=leaderboard.MAX_ENTRIES)
        return ok(leaderboard.board(challenge, page, size), meta=page_meta(leaderboard.entry_count(challenge), page, size))


@ns.route("/challenges/<int:challenge_id>/hints")
class RevealedHints(AuthResource):
    @ns.response(200, "The hints the caller revealed so far (from any browser)", ns.models["RevealedHintsEnvelope"])
    @ns.response(404, "No such challenge")
    def get(self, challenge_id: int):
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        return ok(challenge_service.revealed_hints(challenge, current_user))


@ns.route("/challenges/<int:challenge_id>/hints/next")
class NextHint(AuthResource):
    @ns.response(200, "The caller's next hint", ns.models["HintEnvelope"])
    @ns.response(404, "No such challenge, or no hint left")
    def post(self, challenge_id: int):
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        return ok(challenge_service.reveal_next_hint(challenge, current_user))


@ns.route("/challenges/<int:challenge_id>/solution")
class Solution(AuthResource):
    @ns.response(200, "The reference solution and explanation", ns.models["SolutionEnvelope"])
    @ns.response(403, "Not unlocked yet: solve it, or finish a room that uses it")
    def get(self, challenge_id: int):
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        return ok(challenge_service.solution_for(challenge, current_user))


import_result = Model("ImportResult", {
    "created": fields.List(fields.Integer, description="ids of the stored challenges (empty on a dry run)"),
    "validated": fields.Integer, "dry_run": fields.Boolean,
})
problem_set_model = Model("ProblemSet", {
    "format": fields.String(example=problem_sets.FORMAT), "name": fields.String,
    "challenges": fields.List(fields.Nested(challenge_body)),
})
register_models(ns, envelope("ImportEnvelope", import_result), envelope("ProblemSetEnvelope", problem_set_model))


@ns.route("/challenges/import")
class ImportProblemSet(AuthResource):
    @ns.doc(description="A problem set as the JSON body, or as the multipart file field `file` (JSON or YAML, "
                        "≤ 50 MB). Every challenge is validated as a POST would be; one invalid challenge → 422 "
                        "with `errors: [{index, name, message}]` and nothing stored.",
            params={"dry_run": {"type": "boolean", "description": "validate only"}})
    @ns.expect(problem_set_model)
    @ns.response(201, "Imported", ns.models["ImportEnvelope"])
    @ns.response(200, "Dry run: every challenge is valid", ns.models["ImportEnvelope"])
    @ns.response(422, "Some challenges are invalid (`errors` lists them); nothing stored")
    def post(self):
        dry_run = bool(query_bool("dry_run"))
        upload = request.files.get("file")
        document = problem_sets.parse_document(upload.read()) if upload is not None else json_body()
        report = problem_sets.import_set(current_user, document, dry_run=dry_run)
        return ok(report.to_dict(), 200 if dry_run else 201)


@ns.route("/challenges/export")
class ExportProblemSet(AuthResource):
    @ns.doc(params={"ids": {"type": "string", "description": "comma-separated challenge ids"},
                    "created_by": {"type": "integer"}, "name": {"type": "string", "description": "the set's name"},
                    "format": {"type": "string", "enum": ["json", "yaml"],
                               "description": "or `Accept: application/yaml`"}})
    @ns.response(200, "The problem set (YAML as application/yaml, JSON in the envelope)",
                 ns.models["ProblemSetEnvelope"])
    @ns.produces(["application/json", "application/yaml"])
    def get(self):
        document = problem_sets.export_set(current_user, ids=_id_list("ids"),
                                           created_by=query_int("created_by", minimum=1),
                                           name=query_str("name", challenge_service.MAX_NAME_CHARS))
        if _wants_yaml():
            return Response(problem_sets.to_yaml(document), mimetype="application/yaml",
                            headers={"Content-Disposition": 'attachment; filename="problem-set.yaml"'})
        return ok(document)


def _id_list(name: str):
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise BadRequest(f"'{name}' must be comma-separated integers") from None
    if not ids or len(ids) > problem_sets.MAX_CHALLENGES or any(not 0 < i < 2**63 for i in ids):
        raise BadRequest(f"'{name}' must list 1 to {problem_sets.MAX_CHALLENGES} valid ids")
    return ids


def _wants_yaml() -> bool:
    fmt = (request.args.get("format") or "").lower()
    if fmt not in ("", "json", "yaml"):
        raise BadRequest("'format' must be json or yaml")
    if fmt:
        return fmt == "yaml"
    best = request.accept_mimetypes.best_match(["application/json", "application/yaml", "application/x-yaml"])
    return best in ("application/yaml", "application/x-yaml")


@ns.route("/challenges/<int:challenge_id>/attempts")
class ChallengeAttempts(AuthResource):
    @ns.doc(params={**STAFF_FILTERS, **WINDOW_FILTERS, "verdict": {"type": "string", "enum": list(VERDICTS)}})
    @ns.response(200, "Every attempt on the challenge, newest first (creator and admins; SPEC 9.3)",
                 ns.models["AttemptPage"])
    @ns.response(400, "A filter of the wrong type")
    @ns.response(403, "Not the challenge's creator or an admin")
    def get(self, challenge_id: int):
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        page, size = pagination()
        items, total = attempt_service.challenge_attempts(
            challenge, current_user, user_id=query_id("user_id"), verdict=query_verdict(),
            start=query_datetime("start"), end=query_datetime("end"), page=page, size=size)
        return attempts_response(items, total, page, size)
