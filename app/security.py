"""JWT wiring: who a token belongs to, and whether it was revoked."""
from app.extensions import db, jwt
from app.models import User
from app.services import users as user_service


@jwt.user_lookup_loader
def load_user(_header: dict, claims: dict):
    try:
        return db.session.get(User, int(claims["sub"]))
    except (KeyError, TypeError, ValueError):
        return None


@jwt.token_in_blocklist_loader
def token_revoked(_header: dict, claims: dict) -> bool:
    return user_service.is_revoked(claims.get("jti", ""))
