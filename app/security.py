"""JWT wiring: who a token belongs to, and whether its login session is still live."""
from app.extensions import db, jwt
from app.models import User
from app.services import sessions


@jwt.user_lookup_loader
def load_user(_header: dict, claims: dict):
    try:
        return db.session.get(User, int(claims["sub"]))
    except (KeyError, TypeError, ValueError):
        return None


@jwt.token_in_blocklist_loader
def token_revoked(_header: dict, claims: dict) -> bool:
    """Revoked, expired or session-less tokens are refused (401 "token has been revoked")."""
    return not sessions.is_live(claims)
