"""Registration, login, token refresh and logout, and the caller's own account."""
from flask import request
from flask_jwt_extended import (create_access_token, create_refresh_token, current_user, decode_token,
                                get_jwt, jwt_required)
from flask_restx import Model, Namespace, Resource, fields

from app.errors import Unauthorized
from app.routes.common import AuthResource, json_body, ok
from app.routes.models import envelope, register_models, user_model
from app.services import fields as f
from app.services import sessions
from app.services.presenters import own_user_view
from app.services import users as user_service

ns = Namespace("auth", description="Accounts and tokens", path="/")

register_body = Model("RegisterBody", {
    "email": fields.String(required=True), "full_name": fields.String(required=True),
    "password": fields.String(required=True, description="`unsafe_password` accepted as an alias"),
})
login_body = Model("LoginBody", {"email": fields.String(required=True), "password": fields.String(required=True)})
tokens = Model("Tokens", {
    "user": fields.Nested(user_model), "access_token": fields.String, "refresh_token": fields.String,
})
access_only = Model("AccessToken", {"access_token": fields.String})
password_body = Model("PasswordChange", {"old": fields.String(required=True), "new": fields.String(required=True)})
logout_body = Model("LogoutBody", {"refresh_token": fields.String(
    description="optional: the session of this refresh token (of the same user) is revoked too")})
user_env = envelope("UserResponse", user_model)
register_models(ns, register_body, login_body, tokens, access_only, password_body, logout_body, user_env,
                envelope("LoginResponse", tokens), envelope("RefreshResponse", access_only))


def password_field(body: dict, name: str = "password") -> str:
    if name == "password" and "password" not in body and "unsafe_password" in body:
        name = "unsafe_password"
    return f.string(body, name, user_service.MAX_PASSWORD_CHARS, allow_empty=False)


def issue_tokens(user) -> dict:
    """A new login session: its access and refresh tokens share the session id claim."""
    claims = {sessions.SESSION_CLAIM: sessions.start(user.id)}
    identity = str(user.id)
    return {"user": own_user_view(user),
            "access_token": create_access_token(identity=identity, additional_claims=claims),
            "refresh_token": create_refresh_token(identity=identity, additional_claims=claims)}


def client_address() -> str:
    """The peer's address. Behind a reverse proxy, wrap the app in werkzeug's ProxyFix so this is the
    client's; X-Forwarded-For is not trusted by default (any client can write it)."""
    return request.remote_addr or "unknown"


@ns.route("/register")
class Register(Resource):
    @ns.expect(register_body)
    @ns.response(201, "Registered", user_env)
    def post(self):
        body = json_body()
        email = f.email(body)
        full_name = f.string(body, "full_name", 200)
        user = user_service.create_user(email, full_name, password_field(body))
        return ok(own_user_view(user), 201)


@ns.route("/login")
class Login(Resource):
    @ns.expect(login_body)
    @ns.response(200, "Signed in", ns.models["LoginResponse"])
    def post(self):
        body = json_body()
        email = f.string(body, "email", 254)
        user = user_service.authenticate(email, password_field(body), client_address())
        return ok(issue_tokens(user))


@ns.route("/auth/refresh")
class Refresh(Resource):
    @jwt_required(refresh=True)
    @ns.response(200, "New access token", ns.models["RefreshResponse"])
    def post(self):
        session_claim = {sessions.SESSION_CLAIM: get_jwt()[sessions.SESSION_CLAIM]}   # the same session
        return ok({"access_token": create_access_token(identity=str(current_user.id),
                                                       additional_claims=session_claim)})


@ns.route("/auth/logout")
class Logout(Resource):
    @jwt_required(verify_type=False)
    @ns.expect(logout_body)
    def post(self):
        """Revokes the presented token's whole session (its refresh tokens too), and the session of the
        refresh token given in the body if any."""
        claims = get_jwt()
        body = json_body()
        refresh = f.string(body, "refresh_token", 4096, required=False)
        other = decode_token(refresh, allow_expired=True) if refresh else None   # a bad token is a 401
        if other is not None and other.get("sub") != claims.get("sub"):
            raise Unauthorized("that refresh token belongs to another user")
        for token in (claims, other):
            if token is not None and token.get(sessions.SESSION_CLAIM):
                sessions.revoke(token[sessions.SESSION_CLAIM])
        return ok({"revoked": True})


@ns.route("/me")
class Me(AuthResource):
    @ns.response(200, "The caller", user_env)
    def get(self):
        return ok(own_user_view(current_user))


@ns.route("/me/password")
class MyPassword(AuthResource):
    @ns.expect(password_body)
    @ns.response(200, "Password changed", user_env)
    def post(self):
        body = json_body()
        old = f.string(body, "old", user_service.MAX_PASSWORD_CHARS)
        new = f.string(body, "new", user_service.MAX_PASSWORD_CHARS)
        user = user_service.change_password(current_user, old, new, get_jwt()[sessions.SESSION_CLAIM])
        return ok(own_user_view(user))
