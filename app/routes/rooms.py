"""Duel and tournament rooms over REST (live play happens on Socket.IO)."""
from flask_jwt_extended import current_user
from flask_restx import Model, Namespace, fields

from app.routes.csv_export import standings_csv, wants_csv
from app.routes.common import AuthResource, json_body, ok
from app.routes.models import envelope, register_models
from app.services import fields as f
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
join_body = Model("JoinBody", {"code": fields.String(required=True)})
register_models(ns, room_body, join_body, envelope("RoomEnvelope", room_model),
                envelope("RoomResultsEnvelope", results_model))


def view(room) -> dict:
    return room_service.room_view(room, current_user.id)


@ns.route("")
class RoomList(AuthResource):
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
    @ns.response(200, "Standings (frozen for all but the host during a freeze)", ns.models["RoomResultsEnvelope"])
    def get(self, room_id: int):
        room = room_service.get_room(room_id)
        final = room_service.results(room, viewer=current_user)
        if wants_csv():
            return standings_csv(room.id, final["standings"], room.challenge_ids)
        return ok(final)
