"""Who sees an e-mail address (SPEC 9.3): that user, admins and instructors, on every payload embedding a user."""
import pytest

from app.services import permissions
from app.models import Attempt, Challenge, Room, User


def email_of(user):
    return user["user"]["email"]


def test_profile_shows_email_to_self_admins_and_instructors_only(client, make_user):
    subject = make_user()
    url = f"/api/users/{subject['user']['id']}"
    for viewer, sees in ((subject, True), (make_user("admin"), True), (make_user("instructor"), True),
                         (make_user(), False)):
        data = client.get(url, headers=viewer["headers"]).get_json()["data"]
        assert ("email" in data) is sees
        assert data["id"] == subject["user"]["id"] and data["full_name"] == subject["user"]["full_name"]
    # The classmate's response carries the address nowhere, not even under another key.
    stranger = make_user()
    assert email_of(subject) not in client.get(url, headers=stranger["headers"]).get_data(as_text=True)


def test_own_account_payloads_carry_own_email(client, make_user):
    registered = client.post("/api/register", json={"email": "self@example.com", "full_name": "Self",
                                                    "password": "pw-self-secret"})
    assert registered.get_json()["data"]["email"] == "self@example.com"
    login = client.post("/api/login", json={"email": "self@example.com", "password": "pw-self-secret"})
    body = login.get_json()["data"]
    assert body["user"]["email"] == "self@example.com"
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"}).get_json()["data"]
    assert me["email"] == "self@example.com"


def test_admin_routes_show_email(client, make_user):
    admin = make_user("admin")
    created = client.post("/api/admin/users", json={"email": "made@example.com", "full_name": "Made",
                                                    "password": "pw-made-secret", "role": "instructor"},
                          headers=admin["headers"]).get_json()["data"]
    assert created["email"] == "made@example.com"
    reset = client.post(f"/api/admin/users/{created['id']}/password", json={"password": "pw-new-secret"},
                        headers=admin["headers"]).get_json()["data"]
    assert reset["email"] == "made@example.com"


def test_room_payloads_embed_players_without_email(client, make_user, make_challenge):
    host, guest = make_user(), make_user()
    challenge = make_challenge(make_user("instructor"))
    room = client.post("/api/rooms", json={"name": "Duel", "challenge_ids": [challenge["id"]], "duration_s": 60},
                       headers=host["headers"]).get_json()["data"]
    joined = client.post("/api/rooms/join", json={"code": room["code"]}, headers=guest["headers"])
    for response in (joined, client.get(f"/api/rooms/{room['id']}", headers=guest["headers"]),
                     client.get(f"/api/rooms/{room['id']}/results", headers=guest["headers"])):
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and email_of(host) not in text and email_of(guest) not in text


@pytest.mark.parametrize("role, hidden", [("admin", True), ("instructor", False), ("player", False)])
def test_hidden_data_rule_by_role_alone(app, role, hidden):
    """Unit check of the rule the routes rely on: a role alone opens hidden data only for admins."""
    with app.app_context():
        viewer = User(id=10, role=role)
        attempt = Attempt(id=1, user_id=11, challenge_id=999999, room_id=None)
        assert permissions.may_see_hidden(attempt, viewer) is hidden
        assert permissions.may_read_attempt(attempt, viewer) is hidden
        assert permissions.may_read_attempt(Attempt(id=2, user_id=10, challenge_id=999999), viewer)
        assert permissions.may_see_email(11, viewer) is (role != "player")
        assert permissions.may_see_email(10, viewer)
        assert not permissions.may_see_email(10, None)


def test_creator_and_host_rules(app):
    with app.app_context():
        creator, host, other = User(id=1, role="instructor"), User(id=2, role="player"), User(id=3, role="instructor")
        challenge, room = Challenge(id=5, created_user_id=1), Room(id=6, host_user_id=2)
        assert permissions.is_creator_or_admin(challenge, creator) and not permissions.is_creator_or_admin(challenge, other)
        assert permissions.is_host_or_admin(room, host) and not permissions.is_host_or_admin(room, other)
        assert permissions.is_host_or_admin(room, User(id=9, role="admin"))
        assert not permissions.is_self_or_admin(1, other) and permissions.is_self_or_admin(3, other)
