"""A challenge's sample data as tables (issue 13): what each visible test case loads, for the challenge page."""
from flask_jwt_extended import current_user
from flask_restx import Model, Namespace, fields

from app.extensions import judging
from app.routes.common import AuthResource, ok
from app.routes.models import envelope, register_models
from app.services import challenges as challenge_service
from app.services.sample_data import sample_data

ns = Namespace("samples", description="Sample data of visible test cases", path="/")

sample_table = Model("SampleTable", {
    "name": fields.String(description="schema-qualified on PostgreSQL when the schema is not public"),
    "columns": fields.List(fields.String),
    "rows": fields.Raw(description="the first 20 rows, values ≤ 1,000 characters"),
    "row_count": fields.Integer(description="all the table's rows"),
    "truncated": fields.Boolean(description="rows or characters were left out"),
})
case_sample = Model("CaseSample", {
    "test_case_id": fields.Integer, "tables": fields.List(fields.Nested(sample_table)),
    "error": fields.String(description="set when the case's data does not load"),
})
register_models(ns, envelope("SampleData", case_sample, as_list=True))


@ns.route("/challenges/<int:challenge_id>/sample-data")
class SampleData(AuthResource):
    @ns.response(200, "Each visible test case's tables as loaded (hidden cases never appear)", ns.models["SampleData"])
    @ns.response(404, "No such challenge, or one the caller may not see")
    def get(self, challenge_id: int):
        challenge = challenge_service.get_challenge(challenge_id, current_user)
        return ok(sample_data(judging.engines, challenge, judging.settings.max_value_chars))
