"""Room settings of SPEC 9.4 over HTTP: validation (422), defaults in the room object, kicks that stick,
and the late-join window closing."""
import pytest

from tests.helpers import assert_error


def body(challenge_id, **extra):
    return {"name": "Class", "challenge_ids": [challenge_id], "duration_s": 600, **extra}


@pytest.mark.parametrize("extra", [
    {"late_join_s": 601}, {"late_join_s": -1}, {"wrong_penalty": -1}, {"hint_penalty": -0.5},
    {"wrong_penalty": 101},
])
def test_bad_settings_are_422(client, make_user, make_challenge, extra):
    host = make_user()
    response = client.post("/api/rooms", json=body(make_challenge(host)["id"], **extra), headers=host["headers"])
    assert_error(response, 422)


def test_a_penalty_that_is_not_a_number_is_400(client, make_user, make_challenge):
    host = make_user()
    response = client.post("/api/rooms", json=body(make_challenge(host)["id"], wrong_penalty="5"),
                           headers=host["headers"])
    assert_error(response, 400)


def test_settings_and_their_defaults_are_in_the_room_object(client, make_user, make_challenge):
    host = make_user()
    cid = make_challenge(host)["id"]
    plain = client.post("/api/rooms", json=body(cid), headers=host["headers"]).get_json()["data"]
    assert (plain["late_join_s"], plain["wrong_penalty"], plain["hint_penalty"], plain["questions"]) == (0, 0, 0, [])
    room = client.post("/api/rooms", json=body(cid, late_join_s=600, wrong_penalty=2.5, hint_penalty=10),
                       headers=host["headers"]).get_json()["data"]
    assert (room["late_join_s"], room["wrong_penalty"], room["hint_penalty"]) == (600, 2.5, 10)


def test_late_join_seats_only_within_the_window_and_while_seats_are_free(app, client, make_user, make_challenge):
    from datetime import timedelta

    from app.extensions import db
    from app.models import Room
    from app.models.timestamps import utcnow

    app.config["ROOM_COUNTDOWN_S"] = 0
    host = make_user("instructor")
    early, late, full, too_late = make_user(), make_user(), make_user(), make_user()
    room = client.post("/api/rooms", json=body(make_challenge(host)["id"], late_join_s=30, max_players=3,
                                                host_plays=False), headers=host["headers"]).get_json()["data"]

    def join(user) -> dict:
        response = client.post("/api/rooms/join", json={"code": room["code"]}, headers=user["headers"])
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]

    join(early)
    assert client.post(f"/api/rooms/{room['id']}/start", headers=host["headers"]).get_json()["data"]["state"] == "RUNNING"
    seated = join(late)
    assert [p["user_id"] for p in seated["players"]] == [early["user"]["id"], late["user"]["id"]]
    with app.app_context():             # the window closes: the start moves 31 s into the past
        db.session.get(Room, room["id"]).starts_at = utcnow() - timedelta(seconds=31)
        db.session.commit()
    assert too_late["user"]["id"] in join(too_late)["spectators"]
    with app.app_context():             # back inside the window, but now the last seat goes, then none is free
        db.session.get(Room, room["id"]).starts_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
    assert full["user"]["id"] in [p["user_id"] for p in join(full)["players"]]
    fourth = make_user()
    assert fourth["user"]["id"] in join(fourth)["spectators"]
