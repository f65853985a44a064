"""Duel and tournament rooms over REST (live play happens on Socket.IO)."""
from flask_jwt_extended import current_user
from flask_restx import Model, Namespace, fields

from app.routes.csv_export import csv_response, wants_csv
from app.errors import BadRequest
from app.models.room import ROOM_STATES
from app.routes.attempt_common import STAFF_FILTERS, attempts_response, query_id, register_attempt_models
from app.routes.common import AuthResource, json_body, ok, page_meta, pagination, query_str
from app.routes.models import envelope, register_models
from app.services import fields as f
from app.services import attempts as attempt_service
from app.services import gradebook, room_listing
from app.services import rooms as room_service

ns = Namespace("rooms", description="Duels and tournaments", path="/rooms")

room_body = Model("RoomBody", {
    "name": fields.String(required=True), "challenge_ids": fields.List(fields.Integer, required=True),
    "duration_s": fields.Integer(required=True, min=10, max=86400),
    "max_players": fields.Integer(default=2, description="2 = duel; more needs instructor/admin"),
    "freeze_last_s": fields.Integer(default=0), "host_plays": fields.Boolean(default=True),
    "late_join_s": fields.Integer(default=0, min=0, description="seconds after the start in which a user who "
                                  "joins by code still takes a free seat (at most duration_s)"),
    "wrong_penalty": fields.Float(default=0, min=0, max=100, description="points off a challenge's best score "
                                  "per counted non-accepted attempt before its first ACCEPTED one"),
    "hint_penalty": fields.Float(default=0, min=0, max=100, description="points off a challenge's best score "
                                 "per hint revealed during the room"),
})
standing = Model("Standing", {
    "rank": fields.Integer, "user_id": fields.Integer, "full_name": fields.String,
    "total_score": fields.Float, "elapsed_s": fields.Float, "per_challenge": fields.Raw, "forfeited": fields.Boolean,
    "penalty": fields.Float(description="points taken off in all (wrong attempts, hints)"),
})
question = Model("RoomQuestion", {
    "question_id": fields.Integer, "user_id": fields.Integer, "full_name": fields.String, "text": fields.String,
    "at": fields.DateTime, "answer": fields.String, "answered_at": fields.DateTime, "public": fields.Boolean,
})
player = Model("RoomPlayer", {"user_id": fields.Integer, "full_name": fields.String, "ready": fields.Boolean,
                              "connected": fields.Boolean, "forfeited": fields.Boolean})
room_model = Model("Room", {
    "id": fields.Integer, "name": fields.String, "host_user_id": fields.Integer,
    "code": fields.String(description="the join code; null for anyone but the host and the seated players"),
    "host_plays": fields.Boolean, "state": fields.String(enum=["LOBBY", "COUNTDOWN", "RUNNING", "FINISHED"]),
    "max_players": fields.Integer, "duration_s": fields.Integer, "freeze_last_s": fields.Integer,
    "challenge_ids": fields.List(fields.Integer), "players": fields.List(fields.Nested(player)),
    "spectators": fields.List(fields.Integer),
    "standings": fields.List(fields.Nested(standing), description="during a freeze: the others as at the freeze, "
                             "the reader's own row live (the host: all live)"),
    "late_join_s": fields.Integer, "wrong_penalty": fields.Float, "hint_penalty": fields.Float,
    "frozen": fields.Boolean, "seq": fields.Integer,
    "questions": fields.List(fields.Nested(question), description="the reader's own and the public ones; "
                             "the host's: all"),
    "created_at": fields.DateTime, "starts_at": fields.DateTime, "ends_at": fields.DateTime,
    "server_time": fields.DateTime,
})
results_model = Model("RoomResults", {"room_id": fields.Integer, "standings": fields.List(fields.Nested(standing)),
                                      "winner_user_ids": fields.List(fields.Integer)})
room_summary = Model("RoomSummary", {
    "id": fields.Integer, "name": fields.String, "host_user_id": fields.Integer,
    "state": fields.String(enum=list(ROOM_STATES)), "max_players": fields.Integer, "duration_s": fields.Integer,
    "challenge_ids": fields.List(fields.Integer),
    "relation": fields.String(enum=["host", "player", "admin"], description="what the caller is to the room"),
    "created_at": fields.DateTime, "starts_at": fields.DateTime, "ends_at": fields.DateTime,
})
join_body = Model("JoinBody", {"code": fields.String(required=True)})
register_models(ns, room_body, join_body, envelope("RoomEnvelope", room_model),
                envelope("RoomResultsEnvelope", results_model),
                envelope("RoomSummaryPage", room_summary, as_list=True, paginated=True))
register_attempt_models(ns)


def view(room) -> dict:
    return room_service.room_view(room, current_user.id)


@ns.route("")
class RoomList(AuthResource):
    @ns.doc(params={"page": "from 0", "size": "≤ 100",
                    "state": {"type": "string", "enum": list(ROOM_STATES)}})
    @ns.response(200, "Rooms the caller hosts or played (admins: all), newest first", ns.models["RoomSummaryPage"])
    @ns.response(400, "A filter of the wrong type")
    def get(self):
        page, size = pagination()
        state = query_str("state", 12)
        if state is not None and state not in ROOM_STATES:
            raise BadRequest(f"'state' must be one of {', '.join(ROOM_STATES)}")
        items, total = room_listing.list_rooms(current_user, state, page, size)
        return ok(items, meta=page_meta(total, page, size))

    @ns.expect(room_body)
    @ns.response(201, "Created, with its join code", ns.models["RoomEnvelope"])
    @ns.response(409, "The user already hosts MAX_OPEN_ROOMS_PER_USER rooms not FINISHED")
    def post(self):
        return ok(view(room_service.create_room(current_user, json_body())), 201)


@ns.route("/join")
class JoinRoom(AuthResource):
    @ns.expect(join_body)
    @ns.response(200, "Joined (seat or spectator)", ns.models["RoomEnvelope"])
    def post(self):
        code = f.string(json_body(), "code", 32)
        return ok(view(room_service.join_by_code(current_user, code)))


@ns.route("/<int:room_id>")
class RoomItem(AuthResource):
    @ns.response(200, "The room with players and standings", ns.models["RoomEnvelope"])
    def get(self, room_id: int):
        return ok(view(room_service.get_room(room_id)))


@ns.route("/<int:room_id>/start")
class StartRoom(AuthResource):
    def post(self, room_id: int):
        return ok(view(room_service.start(room_service.get_room(room_id), current_user)))


@ns.route("/<int:room_id>/end")
class EndRoom(AuthResource):
    @ns.response(409, "Already FINISHED")
    def post(self, room_id: int):
        """Ends the room now (host): a RUNNING room with its standings, a LOBBY or COUNTDOWN room unplayed."""
        return ok(view(room_service.end_now(room_service.get_room(room_id), current_user)))


@ns.route("/<int:room_id>/rematch")
class Rematch(AuthResource):
    @ns.response(201, "The new room, in LOBBY", ns.models["RoomEnvelope"])
    def post(self, room_id: int):
        return ok(view(room_service.rematch(room_service.get_room(room_id), current_user)), 201)


@ns.route("/<int:room_id>/results")
class Results(AuthResource):
    @ns.doc(params={"format": {"type": "string", "enum": ["json", "csv"],
                               "description": "csv (or Accept: text/csv): the gradebook, host and admins only"}})
    @ns.produces(["application/json", "text/csv"])
    @ns.response(200, "Standings (frozen for all but the host during a freeze); as CSV one row per player: "
                      "rank, user_id, email, full_name, per challenge (named by its name) best score, attempts "
                      "and seconds to the first ACCEPTED attempt, then total_score, total_attempts, elapsed_s",
                 ns.models["RoomResultsEnvelope"])
    @ns.response(400, "`format` other than json or csv")
    @ns.response(403, "CSV asked by someone other than the host or an admin")
    def get(self, room_id: int):
        room = room_service.get_room(room_id)
        if wants_csv():
            return csv_response(f"room-{room.id}-results.csv", *gradebook.room_gradebook(room, current_user))
        return ok(room_service.results(room, viewer=current_user))


@ns.route("/<int:room_id>/attempts")
class RoomAttempts(AuthResource):
    @ns.doc(params={**STAFF_FILTERS, "challenge_id": {"type": "integer"}})
    @ns.response(200, "Every attempt made in the room, newest first (host and admins; SPEC 9.3)",
                 ns.models["AttemptPage"])
    @ns.response(400, "A filter of the wrong type")
    @ns.response(403, "Not the room's host or an admin")
    def get(self, room_id: int):
        room = room_service.get_room(room_id)
        page, size = pagination()
        items, total = attempt_service.room_attempts(room, current_user, user_id=query_id("user_id"),
                                                     challenge_id=query_id("challenge_id"), page=page, size=size)
        return attempts_response(items, total, page, size)
