"""Similar accepted attempts (SPEC section 3 row, issue 15): literals normalised, rare structures first."""
from app.services.similarity import rank_pairs

COMMON = "SELECT id, name FROM items WHERE price < {} ORDER BY id"          # the textbook answer
RARE = "SELECT id, name FROM items WHERE NOT price >= {} ORDER BY id"       # an unusual shape
ALONE = "SELECT id, name FROM items WHERE price BETWEEN 0 AND 5 ORDER BY id"  # nobody else wrote this


def accepted(client, wait_judged, user, challenge_id, query):
    response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                           headers=user["headers"])
    attempt = wait_judged(response.get_json()["data"]["id"], user["headers"])
    assert attempt["verdict"] == "ACCEPTED", attempt
    return attempt["id"]


def test_pairs_literal_variants_and_ranks_rare_structures_first(client, make_user, make_challenge, wait_judged):
    creator = make_user("instructor")
    cid = make_challenge(creator)["id"]
    common_users = [make_user() for _ in range(10)]
    for n, user in enumerate(common_users):
        accepted(client, wait_judged, user, cid, COMMON.format(6 + n % 3))   # 6, 7, 8: same results, new literal
    rare_users = [make_user(), make_user()]
    rare_ids = [accepted(client, wait_judged, user, cid, RARE.format(limit))
                for user, limit in zip(rare_users, (6, 7))]
    loner = make_user()
    accepted(client, wait_judged, loner, cid, ALONE)

    response = client.get(f"/api/admin/similar-attempts?challenge_id={cid}", headers=creator["headers"])
    assert response.status_code == 200
    pairs = response.get_json()["data"]
    # literal-only differences are paired: every two of the ten, plus the two rare ones
    assert len(pairs) == 10 * 9 // 2 + 1
    assert pairs[0]["attempt_ids"] == rare_ids and pairs[0]["shared_by"] == 2
    assert sorted(pairs[0]["user_ids"]) == sorted(u["user"]["id"] for u in rare_users)
    assert {p["shared_by"] for p in pairs[1:]} == {10}
    assert all(set(p) >= {"attempt_ids", "user_ids", "fingerprint", "shared_by"} for p in pairs)
    # the structurally different query is paired with nobody
    assert all(loner["user"]["id"] not in p["user_ids"] for p in pairs)
    # every attempt named in the report can be opened by the instructor
    assert client.get(f"/api/attempts/{pairs[-1]['attempt_ids'][1]}", headers=creator["headers"]).status_code == 200


def test_rank_pairs_orders_by_how_many_users_share_a_fingerprint():
    groups = {"popular": [(i, 100 + i) for i in range(1, 11)], "rare": [(50, 200), (51, 201)],
              "trio": [(60, 300), (61, 301), (62, 302)]}
    pairs = rank_pairs(groups)
    assert [p["shared_by"] for p in pairs] == [2] + [3] * 3 + [10] * 45
    assert pairs[0] == {"attempt_ids": [50, 51], "user_ids": [200, 201], "fingerprint": "rare", "shared_by": 2}
