"""OpenAPI models shared by several Namespaces (the envelope and common objects)."""
from flask_restx import Model, fields

user_model = Model("User", {
    "id": fields.Integer, "email": fields.String(description="only for that user, admins and instructors"),
    "full_name": fields.String,
    "role": fields.String(enum=["admin", "instructor", "player"]), "created_at": fields.DateTime,
})

error_model = Model("Error", {
    "status": fields.String(example="error"), "message": fields.String,
})

meta_model = Model("PageMeta", {"total": fields.Integer, "page": fields.Integer, "size": fields.Integer})


def envelope(name: str, data_model, as_list: bool = False, paginated: bool = False) -> Model:
    """`{"status": "success", "data": …}` around `data_model` for the OpenAPI document."""
    data_field = fields.List(fields.Nested(data_model)) if as_list else fields.Nested(data_model)
    body = {"status": fields.String(example="success"), "data": data_field}
    if paginated:
        body["meta"] = fields.Nested(meta_model)
    return Model(name, body)


def register_models(ns, *models) -> None:
    for model in models:
        ns.models[model.name] = model
        for field in model.values():
            nested = getattr(field, "nested", None) or getattr(getattr(field, "container", None), "nested", None)
            if nested is not None and nested.name not in ns.models:
                register_models(ns, nested)

COST_TEXT = ("work units the engine spent on the query (SPEC 9.5; SQLite: virtual machine steps, PostgreSQL: "
             "buffers touched plus rows produced by every plan node): the same query on the same data always "
             "costs the same; null when the query did not run to the end")

leaderboard_entry_model = Model("LeaderboardEntry", {
    "rank": fields.Integer, "user_id": fields.Integer, "full_name": fields.String, "attempt_id": fields.Integer,
    "score": fields.Float,
    "cost": fields.Integer(description=COST_TEXT + "; the board orders by score, then cost, then execution_ms"),
    "execution_ms": fields.Float, "created_at": fields.DateTime,
})
leaderboard_model = Model("Leaderboard", {
    "challenge_id": fields.Integer, "type": fields.String(enum=["FE", "LE"]),
    "entries": fields.List(fields.Nested(leaderboard_entry_model)),
})
overall_entry_model = Model("OverallLeaderboardEntry", {
    "rank": fields.Integer, "user_id": fields.Integer, "full_name": fields.String,
    "solved": fields.Integer(description="challenges with an ACCEPTED attempt"),
    "total_score": fields.Float(description="sum of the user's best score per challenge"),
})
