"""The checker behind the socket tests' contract check can tell a wrong payload from a right one."""
from tests import asyncapi


def test_valid_payloads_pass_and_broken_ones_are_reported():
    asyncapi.take_violations()
    asyncapi.check("room.countdown", {"room_id": 1, "seq": 3, "starts_at": "2026-12-01T10:00:00.000000Z"})
    asyncapi.check("leaderboard.updated", {"challenge_id": 2, "entries": []})
    assert asyncapi.take_violations() == []
    asyncapi.check("room.countdown", {"room_id": 1})
    asyncapi.check("room.kicked", {"room_id": 1, "surprise": True})
    asyncapi.check("attempt.completed", {"id": "seven"})
    asyncapi.check("room.teleported", {"room_id": 1})
    found = asyncapi.take_violations()
    assert len(found) == 4
    assert "seq" in found[0] and "surprise" in found[1] and "attempt.completed" in found[2]
    assert "not documented" in found[3]


def test_every_event_the_server_code_emits_is_documented():
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent / "app"
    emitted = set()
    for path in root.rglob("*.py"):
        emitted |= set(re.findall(r'(?:publish|emit)\(\s*(?:room,\s*)?"([a-z_]+\.[a-z_.]+)"', path.read_text()))
    assert emitted, "the pattern found no events: it needs updating"
    assert emitted <= set(asyncapi.validators()), emitted - set(asyncapi.validators())
