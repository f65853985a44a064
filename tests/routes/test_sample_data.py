"""GET /api/challenges/:id/sample-data (issue 13): visible cases' tables read from the loaded dataset."""
from tests.helpers import assert_error

INIT = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price INTEGER DEFAULT 7);"
MANY = ";".join(f"INSERT INTO items (id, name) VALUES ({i}, 'n{i}')" for i in range(1, 26)) + ";"
CASES = [
    {"data": "INSERT INTO items (id, name, price) VALUES (1, 'pen', 5), (2, 'book', 12);", "is_visible": True},
    {"data": "INSERT INTO items (id, name, price) VALUES (9, 'secret', 1);", "is_visible": False},
    {"data": MANY, "is_visible": True},
]


def sample(client, user, challenge_id):
    response = client.get(f"/api/challenges/{challenge_id}/sample-data", headers=user["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def test_visible_cases_only_read_from_the_dataset(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    challenge = make_challenge(author, init=INIT, test_cases=CASES, solution="SELECT id FROM items ORDER BY id")
    visible_ids = [tc["id"] for tc in challenge["test_cases"] if tc["is_visible"]]
    data = sample(client, player, challenge["id"])
    assert [item["test_case_id"] for item in data] == visible_ids
    first, many = data[0]["tables"], data[1]["tables"]
    assert first == [{"name": "items", "columns": ["id", "name", "price"],
                      "rows": [[1, "pen", 5], [2, "book", 12]], "row_count": 2, "truncated": False}]
    # Rows come from the loaded table: the column default is there though no INSERT names it.
    assert many[0]["row_count"] == 25 and len(many[0]["rows"]) == 20 and many[0]["truncated"] is True
    assert many[0]["rows"][0] == [1, "n1", 7]
    assert "secret" not in str(data)


def test_postgresql_schema_tables_are_qualified(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    init = ("CREATE SCHEMA shop; CREATE TABLE shop.orders (id int PRIMARY KEY, total numeric(6,2));"
            "CREATE TABLE people (id int, name text);")
    cases = [{"data": "INSERT INTO shop.orders VALUES (1, 9.50); INSERT INTO people VALUES (1, 'Ann');",
              "is_visible": True},
             {"data": "INSERT INTO shop.orders VALUES (2, 3.25);", "is_visible": False}]
    challenge = make_challenge(author, engine="postgresql", init=init, test_cases=cases,
                               solution="SELECT id FROM shop.orders ORDER BY id")
    data = sample(client, player, challenge["id"])
    assert len(data) == 1
    tables = {table["name"]: table for table in data[0]["tables"]}
    assert set(tables) == {"shop.orders", "people"}
    assert tables["shop.orders"]["columns"] == ["id", "total"] and tables["shop.orders"]["rows"] == [[1, 9.5]]
    assert tables["people"] == {"name": "people", "columns": ["id", "name"], "rows": [[1, "Ann"]],
                                "row_count": 1, "truncated": False}


def test_long_values_are_cut_like_results(app, client, make_user, make_challenge):
    author = make_user()
    cases = [{"data": f"INSERT INTO items VALUES (1, '{'x' * 3000}', 1);", "is_visible": True}]
    challenge = make_challenge(author, init=INIT, test_cases=cases, solution="SELECT id FROM items")
    table = sample(client, author, challenge["id"])[0]["tables"][0]
    assert len(table["rows"][0][1]) == 1000 and table["truncated"] is True


def test_a_draft_the_caller_cannot_see_is_not_found(client, make_user, make_challenge):
    author, player = make_user(), make_user()
    draft = make_challenge(author, visibility="draft")
    assert_error(client.get(f"/api/challenges/{draft['id']}/sample-data", headers=player["headers"]), 404)
    assert sample(client, author, draft["id"])[0]["tables"][0]["name"] == "items"
    assert_error(client.get("/api/challenges/999999/sample-data", headers=player["headers"]), 404)
    assert client.get(f"/api/challenges/{draft['id']}/sample-data").status_code == 401
