"""A challenge a user may not see never leaks through Socket.IO (SPEC 9.1)."""
from tests.sockets.conftest import THREE_CASES


def test_challenge_channel_of_a_draft_is_refused_to_others(api, sockets):
    author, player = api(), api()
    created = author.call("POST", "/challenges", json={**THREE_CASES, "visibility": "draft"})
    assert created.status_code == 201, created.text
    channel = f"challenge:{created.json()['data']['id']}"
    player_socket = sockets(player)
    refused = player_socket.call("subscribe", {"channel": channel})
    assert refused["status"] == "error" and "not found" in refused["message"]
    author_socket = sockets(author)
    assert author_socket.call("subscribe", {"channel": channel})["status"] == "success"
    assert author_socket.wait_for("leaderboard.snapshot")["entries"] == []
    assert player_socket.named("leaderboard.snapshot") == []
