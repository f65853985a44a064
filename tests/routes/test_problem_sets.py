"""Problem sets (SPEC 9.2) through HTTP and the flask commands: import all or nothing, dry run, export."""
import io
import json

import pytest
import yaml

from tests.helpers import SIMPLE_CASES, SIMPLE_INIT, assert_error

FORMAT = "sqlarena-problem-set/1"


def challenge(n: int, **overrides) -> dict:
    """A challenge with every field explicit, as an export writes it."""
    body = {
        "name": f"Problem {n}", "description": f"Items cheaper than {n + 3}.", "type": "FE", "engine": "sqlite",
        "difficulty": "easy", "tags": ["basics"], "visibility": "public", "release_at": None,
        "time_limit_ms": 2000, "check_column_names": True, "init": SIMPLE_INIT,
        "solution": f"SELECT id, name FROM items WHERE price < {n + 3} ORDER BY id",
        "hints": ["Filter on price."], "explanation": "WHERE, then ORDER BY.",
        "test_cases": [dict(tc) for tc in SIMPLE_CASES],
    }
    body.update(overrides)
    return body


def problem_set(*challenges, name="Set") -> dict:
    return {"format": FORMAT, "name": name, "challenges": list(challenges)}


def count_challenges(client, user) -> int:
    return client.get("/api/challenges", headers=user["headers"]).get_json()["meta"]["total"]


def test_import_then_export_gives_the_same_document(client, make_user):
    instructor = make_user("instructor")
    document = problem_set(challenge(1), challenge(2, difficulty=None, tags=[], hints=[], visibility="draft",
                                                   release_at="2030-01-01T09:00:00Z"), name="Round trip")
    response = client.post("/api/challenges/import", json=document, headers=instructor["headers"])
    assert response.status_code == 201, response.get_json()
    created = response.get_json()["data"]["created"]
    assert len(created) == 2
    exported = client.get(f"/api/challenges/export?ids={','.join(map(str, created))}&name=Round%20trip",
                          headers=instructor["headers"])
    assert exported.status_code == 200
    assert exported.get_json()["data"] == document
    as_yaml = client.get(f"/api/challenges/export?ids={created[0]}", headers={
        **instructor["headers"], "Accept": "application/yaml"})
    assert as_yaml.mimetype == "application/yaml"
    assert yaml.safe_load(as_yaml.data)["challenges"][0] == document["challenges"][0]


def test_dry_run_validates_and_stores_nothing(client, make_user):
    instructor = make_user("instructor")
    response = client.post("/api/challenges/import?dry_run=true", json=problem_set(challenge(1), challenge(2)),
                           headers=instructor["headers"])
    assert response.status_code == 200
    assert response.get_json()["data"] == {"created": [], "validated": 2, "dry_run": True}
    assert count_challenges(client, instructor) == 0


def test_one_bad_challenge_in_twenty_stores_nothing_and_names_it(client, make_user):
    instructor = make_user("instructor")
    challenges = [challenge(n) for n in range(20)]
    challenges[7] = challenge(7, init="CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER); "
                                      "INSERT INTO nowhere VALUES (1);")
    challenges[12] = challenge(12, type="XX")
    body = assert_error(client.post("/api/challenges/import", json=problem_set(*challenges),
                                    headers=instructor["headers"]), 422)
    assert [e["index"] for e in body["errors"]] == [7, 12]
    assert body["errors"][0]["name"] == "Problem 7" and "nowhere" in body["errors"][0]["message"]
    assert "type" in body["errors"][1]["message"]
    assert count_challenges(client, instructor) == 0


def test_multipart_yaml_upload(client, make_user):
    instructor = make_user("instructor")
    text = yaml.safe_dump(problem_set(challenge(1), challenge(2)), sort_keys=False)
    response = client.post("/api/challenges/import", headers=instructor["headers"],
                           data={"file": (io.BytesIO(text.encode()), "set.yaml")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert count_challenges(client, instructor) == 2


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n"


@pytest.mark.parametrize("raw, code", [
    (b"\x00\x01 not text \xff", 400),
    (b"name: [unclosed", 400),
    (BOMB.encode(), 400),
    (json.dumps({"format": "other/1", "challenges": []}).encode(), 400),
    (json.dumps({"format": FORMAT, "challenges": "no"}).encode(), 400),
    (json.dumps({"format": FORMAT, "challenges": []}).encode(), 422),
    (json.dumps({"format": FORMAT, "challenges": [{}] * 501}).encode(), 422),
    (b"[" * 100_000 + b"]" * 100_000, 400),
])
def test_malformed_problem_sets_are_clear_4xx(client, make_user, raw, code):
    instructor = make_user("instructor")
    response = client.post("/api/challenges/import", headers=instructor["headers"],
                           data={"file": (io.BytesIO(raw), "set.yaml")}, content_type="multipart/form-data")
    assert_error(response, code)
    assert count_challenges(client, instructor) == 0


def test_oversized_upload_is_413(client, make_user):
    instructor = make_user("instructor")
    raw = b"#" * (50 * 1024 * 1024 + 1)
    response = client.post("/api/challenges/import", headers=instructor["headers"],
                           data={"file": (io.BytesIO(raw), "set.yaml")}, content_type="multipart/form-data")
    assert_error(response, 413)


def test_permissions_and_export_errors(client, make_user, make_challenge):
    player, instructor, other = make_user(), make_user("instructor"), make_user("instructor")
    assert_error(client.post("/api/challenges/import", json=problem_set(challenge(1)), headers=player["headers"]), 403)
    mine = make_challenge(instructor)
    theirs = make_challenge(other)
    assert_error(client.get(f"/api/challenges/export?ids={mine['id']},{theirs['id']}", headers=instructor["headers"]),
                 403)
    assert_error(client.get("/api/challenges/export?ids=a,b", headers=instructor["headers"]), 400)
    assert_error(client.get(f"/api/challenges/export?ids={mine['id']}&format=xml", headers=instructor["headers"]), 400)
    everything = client.get("/api/challenges/export", headers=instructor["headers"]).get_json()["data"]
    assert [c["name"] for c in everything["challenges"]] == [mine["name"]]


def test_flask_commands_import_export_and_seed(app, tmp_path, make_user):
    make_user("admin")
    source = tmp_path / "set.yaml"
    source.write_text(yaml.safe_dump(problem_set(challenge(1), challenge(2), name="CLI"), sort_keys=False))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import-challenges", str(source), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 of 2 challenges valid (dry run" in dry.output
    done = runner.invoke(args=["import-challenges", str(source)])
    assert done.exit_code == 0 and "2 challenges imported" in done.output, done.output
    target = tmp_path / "out.json"
    exported = runner.invoke(args=["export-challenges", "-o", str(target), "--name", "CLI"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(target.read_text()) == problem_set(challenge(1), challenge(2), name="CLI")
    seeded = runner.invoke(args=["seed-demo", str(source)])
    assert seeded.exit_code == 0 and "challenges added from set.yaml: 2" in seeded.output, seeded.output
    again = runner.invoke(args=["seed-demo", str(source)])
    assert "challenges added from set.yaml: 0" in again.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(problem_set(challenge(1, solution="SELEC nonsense")), sort_keys=False))
    failed = runner.invoke(args=["import-challenges", str(bad)])
    assert failed.exit_code != 0 and "#0 Problem 1" in failed.output
