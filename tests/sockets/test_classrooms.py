"""Rooms for a class (SPEC 9.4) end to end: late join, penalties, a freeze that hides only the others,
questions and answers, and one `seq` counter per room for every member event. Real clients, real judge."""

from tests.helpers import wait_until
from tests.sockets.conftest import CORRECT, THREE_CASES
from tests.sockets.test_live_rooms import create_room, submit

WRONG = "SELECT id FROM t WHERE 1 = 0"


def row_of(standings: list[dict], user_id: int) -> dict:
    return next(r for r in standings if r["user_id"] == user_id)


def seated(client, room_id: int) -> list[int]:
    return [p["user_id"] for p in client.call("GET", f"/rooms/{room_id}").json()["data"]["players"]]


def room_events(sock) -> list[tuple[str, dict]]:
    return [(e, d) for e, d in sock.events if e.startswith("room.") and isinstance(d, dict) and "seq" in d]


def open_class(api, sockets, challenge_ids, players=2, **settings):
    """An instructor's room (the host does not play) with `players` seated students, all on sockets."""
    host = api("instructor")
    room = create_room(host, challenge_ids, max_players=settings.pop("max_players", 10), host_plays=False,
                       **settings)
    students = [api() for _ in range(players)]
    for student in students:
        assert student.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 200
    host_sock = sockets(host)
    assert host_sock.call("room.join", {"room_id": room["id"]})["status"] == "success"
    socks = [sockets(s) for s in students]
    for sock in socks:
        assert sock.call("room.join", {"room_id": room["id"]})["status"] == "success"
    return host, host_sock, room, students, socks


def start(host_sock, socks, room):
    assert host_sock.call("room.start", {"room_id": room["id"]})["status"] == "success"
    for sock in socks:
        sock.wait_for("room.started")


def test_late_joiner_takes_a_free_seat_and_scores(api, sockets, three_case_challenge):
    cid = three_case_challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=1, max_players=3,
                                                        late_join_s=120, duration_s=300)
    start(host_sock, socks, room)
    late = api(name="Late")
    joined = late.call("POST", "/rooms/join", json={"code": room["code"]})
    assert joined.status_code == 200 and late.user["id"] in seated(host, room["id"])
    late_sock = sockets(late)
    view = late_sock.call("room.join", {"room_id": room["id"]})["data"]
    assert late.user["id"] not in view["spectators"] and view["late_join_s"] == 120
    submit(late, cid, room["id"])
    standings = host_sock.wait_for(
        "room.standings", lambda d: row_of(d["standings"], late.user["id"])["total_score"] == 100)["standings"]
    assert standings[0]["user_id"] == late.user["id"]


def test_without_late_join_a_latecomer_only_watches(api, sockets, three_case_challenge):
    cid = three_case_challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=1, max_players=3)
    start(host_sock, socks, room)
    late = api()
    late.call("POST", "/rooms/join", json={"code": room["code"]})
    assert late.user["id"] not in seated(host, room["id"])


def test_wrong_attempts_and_hints_revealed_during_the_room_cost_points(api, sockets):
    author = api()
    challenge = author.call("POST", "/challenges", json={**THREE_CASES, "hints": ["look at v", "v > 1"]}).json()["data"]
    cid = challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=2, wrong_penalty=10,
                                                        hint_penalty=5)
    ann, bob = students
    assert ann.call("POST", f"/challenges/{cid}/hints/next").status_code == 200     # before the start: free
    start(host_sock, socks, room)
    assert ann.call("POST", f"/challenges/{cid}/hints/next").status_code == 200     # during the room: 5 points
    submit(ann, cid, room["id"], WRONG)
    nothing_yet = host_sock.wait_for("room.standings")
    assert row_of(nothing_yet["standings"], ann.user["id"])["total_score"] == 0      # never below 0
    submit(ann, cid, room["id"])
    standings = host_sock.wait_for(
        "room.standings", lambda d: row_of(d["standings"], ann.user["id"])["total_score"] > 0)["standings"]
    mine = row_of(standings, ann.user["id"])
    assert mine["total_score"] == 85 and mine["penalty"] == 15 and mine["per_challenge"] == {str(cid): 85}
    submit(ann, cid, room["id"], WRONG)                     # after the first ACCEPTED one: free
    submit(bob, cid, room["id"])
    final = socks[0].wait_for("room.finished", timeout=60)["standings"]
    assert [(r["user_id"], r["total_score"]) for r in final] == [(bob.user["id"], 100), (ann.user["id"], 85)]
    results = ann.call("GET", f"/rooms/{room['id']}/results").json()["data"]
    assert results["standings"] == final and results["winner_user_ids"] == [bob.user["id"]]


def test_freeze_hides_only_the_others(api, sockets, three_case_challenge):
    cid = three_case_challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=3, duration_s=12,
                                                        freeze_last_s=11)
    ann, bob, _cy = students
    start(host_sock, socks, room)
    wait_until(lambda: bob.call("GET", f"/rooms/{room['id']}").json()["data"]["frozen"], timeout_s=10)
    submit(ann, cid, room["id"])
    own = socks[0].wait_for("room.standings", lambda d: row_of(d["standings"], ann.user["id"])["total_score"] == 100)
    host_sock.wait_for("room.standings", lambda d: row_of(d["standings"], ann.user["id"])["total_score"] == 100)
    assert all(r["total_score"] == 0 for r in own["standings"] if r["user_id"] != ann.user["id"])
    for path in (f"/rooms/{room['id']}", f"/rooms/{room['id']}/results"):
        assert row_of(ann.call("GET", path).json()["data"]["standings"], ann.user["id"])["total_score"] == 100
        assert row_of(bob.call("GET", path).json()["data"]["standings"], ann.user["id"])["total_score"] == 0
        assert row_of(host.call("GET", path).json()["data"]["standings"], ann.user["id"])["total_score"] == 100
    assert not socks[1].named("room.standings")          # nothing changed that Bob may see
    finished = socks[1].wait_for("room.finished", timeout=30)
    assert row_of(finished["standings"], ann.user["id"])["total_score"] == 100


def test_questions_private_and_public(api, sockets, three_case_challenge):
    cid = three_case_challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=2)
    ann, bob = students
    watcher = api(name="Watcher")
    watcher_sock = sockets(watcher)
    assert watcher_sock.call("room.join", {"room_id": room["id"]})["status"] == "success"   # no code: spectator
    asked = socks[0].call("room.ask", {"room_id": room["id"], "text": "  Is NULL a value?  "})
    assert asked["status"] == "success"
    question = host_sock.wait_for("room.question")
    assert question["user_id"] == ann.user["id"] and question["text"] == "Is NULL a value?"
    assert question["question_id"] == asked["data"]["question_id"] and question["full_name"] == ann.user["full_name"]
    private = host_sock.call("room.answer", {"room_id": room["id"], "question_id": question["question_id"],
                                             "text": "No.", "public": False})
    assert private["status"] == "success"
    answered = socks[0].wait_for("room.answered")
    assert answered == {**answered, "question": "Is NULL a value?", "text": "No.", "public": False}
    public_q = watcher_sock.call("room.ask", {"room_id": room["id"], "text": "How long is left?"})["data"]
    assert host_sock.call("room.answer", {"room_id": room["id"], "question_id": public_q["question_id"],
                                          "text": "Ten minutes.", "public": True})["status"] == "success"
    for sock in (socks[0], socks[1], watcher_sock, host_sock):
        assert sock.wait_for("room.answered", lambda d: d["public"])["text"] == "Ten minutes."
    assert not [d for d in socks[1].named("room.answered") if not d["public"]]     # Bob never sees Ann's
    assert not socks[1].named("room.question") and not watcher_sock.named("room.question")

    def texts(client):
        return [q["text"] for q in client.call("GET", f"/rooms/{room['id']}").json()["data"]["questions"]]
    assert texts(host) == ["Is NULL a value?", "How long is left?"]
    assert texts(ann) == ["Is NULL a value?", "How long is left?"]
    assert texts(bob) == ["How long is left?"]
    assert socks[1].call("room.join", {"room_id": room["id"]})["data"]["questions"][0]["answer"] == "Ten minutes."


def test_bad_questions_and_answers_get_error_acks(api, sockets, three_case_challenge):
    cid = three_case_challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=1)
    rid = room["id"]
    assert socks[0].call("room.ask", {"room_id": rid, "text": "x" * 2001})["status"] == "error"
    assert socks[0].call("room.ask", {"room_id": rid, "text": "   "})["status"] == "error"
    assert host_sock.call("room.ask", {"room_id": rid, "text": "me?"})["status"] == "error"
    stranger_sock = sockets(api())
    assert stranger_sock.call("room.ask", {"room_id": rid, "text": "hi"})["status"] == "error"   # not a member
    asked = [socks[0].call("room.ask", {"room_id": rid, "text": f"q{i}", "user_id": host.user["id"]})
             for i in range(11)]
    assert [a["status"] for a in asked] == ["success"] * 10 + ["error"]          # 10 a minute
    assert {a["data"]["user_id"] for a in asked[:10]} == {students[0].user["id"]}  # never on another's behalf
    qid = asked[0]["data"]["question_id"]
    assert socks[0].call("room.answer", {"room_id": rid, "question_id": qid, "text": "me"})["status"] == "error"
    assert host_sock.call("room.answer", {"room_id": rid, "question_id": qid + 10_000,
                                          "text": "?"})["status"] == "error"
    assert host_sock.call("room.answer", {"room_id": rid, "question_id": qid, "text": ""})["status"] == "error"


def test_one_seq_counter_for_broadcast_and_private_events(api, sockets, three_case_challenge):
    cid = three_case_challenge["id"]
    host, host_sock, room, students, socks = open_class(api, sockets, [cid], players=3)
    ann, bob, cy = students
    assert host_sock.call("room.kick", {"room_id": room["id"], "user_id": cy.user["id"]})["status"] == "success"
    kicked = socks[2].wait_for("room.kicked")
    assert kicked["room_id"] == room["id"] and isinstance(kicked["seq"], int)
    assert cy.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 403     # for good
    socks[0].call("room.ask", {"room_id": room["id"], "text": "private"})
    host_sock.wait_for("room.question")
    host_sock.call("room.announce", {"room_id": room["id"], "text": "go"})
    start(host_sock, socks[:2], room)
    submit(ann, cid, room["id"])
    submit(bob, cid, room["id"])
    for sock in (host_sock, socks[0], socks[1]):
        sock.wait_for("room.finished", timeout=60)
    by_client = [room_events(sock) for sock in (host_sock, socks[0], socks[1])]
    for events in by_client:
        seqs = [d["seq"] for _e, d in events]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), seqs           # strictly increasing
    broadcast = ("room.countdown", "room.started", "room.announcement", "room.first_solve", "room.finished")
    for name in broadcast:
        seen = [[d["seq"] for e, d in events if e == name] for events in by_client]
        assert seen[0] and seen[0] == seen[1] == seen[2], (name, seen)               # same seq on every client
    question_seq = [d["seq"] for e, d in by_client[0] if e == "room.question"][0]
    assert question_seq not in {d["seq"] for _e, d in by_client[1]}                # a private event: a gap
    assert kicked["seq"] < question_seq
