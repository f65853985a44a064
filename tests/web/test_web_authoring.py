"""Organisers in the browser: write a challenge (inline errors, player preview, draft then public),
duplicate and delete it, import a problem set with its dry-run report, export as YAML.

The server runs with CHALLENGE_PUBLISH_ROLES=admin,instructor, so a player may only write drafts.
"""
import itertools

import pytest
import yaml
from playwright.sync_api import expect

from tests.live_server import ApiClient, running_server
from tests.web.conftest import ADMIN, PASSWORD, screenshot, set_query, sign_in

INIT = ("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);\n"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount INTEGER);")
VISIBLE_DATA = ("INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob');\n"
                "INSERT INTO orders VALUES (1, 1, 150), (2, 2, 40);")
HIDDEN_DATA = ("INSERT INTO customers VALUES (1, 'Secretia'), (2, 'Hidda');\n"
               "INSERT INTO orders VALUES (1, 1, 500), (2, 2, 20);")
SOLUTION = ("SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id "
            "GROUP BY c.id, c.name HAVING SUM(o.amount) > 100 ORDER BY c.name")
BROKEN_SOLUTION = SOLUTION.replace("SUM(o.amount)", "SUM(o.amount_paid)")
NAME = "Big spenders"

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("web-authoring")
    with running_server(instance, SEED_DEMO="false", FIRST_ADMIN_EMAIL=ADMIN[0], FIRST_ADMIN_PASSWORD=ADMIN[1],
                        CHALLENGE_PUBLISH_ROLES="admin,instructor") as base:
        yield base


@pytest.fixture
def instructor(server):
    """A fresh instructor (made by the admin), signed in through the API."""
    email = f"teacher{next(_numbers)}@web.test"
    admin = ApiClient(server).login(*ADMIN)
    made = admin.call("POST", "/admin/users", json={"email": email, "full_name": "Iris Instructor",
                                                    "password": PASSWORD, "role": "instructor"})
    assert made.status_code == 201, made.text
    return ApiClient(server).login(email, PASSWORD)


def field(page, key):
    return page.locator(f'[data-field="{key}"]')


def error_for(page, key):
    return page.locator(f'[data-error-for="{key}"]')


def test_instructor_writes_previews_drafts_and_publishes_a_challenge(server, new_page, instructor, player):
    page = new_page()
    sign_in(page, server, instructor)
    page.get_by_role("link", name="Authoring").click()
    expect(page.get_by_text("You have not written a challenge yet.")).to_be_visible()
    page.get_by_role("link", name="New challenge").click()
    expect(page.get_by_role("heading", name="New challenge")).to_be_visible()

    field(page, "name").locator("input").fill(NAME)
    # Markdown is rendered, markup that could run is not.
    field(page, "description").locator("textarea").fill(
        "Customers who spent **more than 100** in `orders`.\n\n"
        "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>")
    preview = page.get_by_label("Description preview")
    expect(preview.locator("strong")).to_have_text("more than 100")
    expect(preview.locator("code")).to_have_text("orders")
    expect(preview.locator("script, img[onerror]")).to_have_count(0)
    assert page.evaluate("() => window.__xss") is None
    field(page, "difficulty").locator("select").select_option("medium")
    field(page, "tags").locator("input").fill("Joins, aggregation")
    field(page, "visibility").locator("select").select_option("draft")

    set_query(page, INIT, within=field(page, "init"))
    set_query(page, BROKEN_SOLUTION, within=field(page, "solution"))
    set_query(page, VISIBLE_DATA, within=field(page, "test_case_1"))
    expect(field(page, "test_case_1").get_by_label("Visible to players")).to_be_checked()
    page.get_by_role("button", name="Add test case").click()
    expect(field(page, "test_case_2").get_by_label("Visible to players")).not_to_be_checked()
    set_query(page, HIDDEN_DATA.replace("INTO orders", "INTO order_lines"), within=field(page, "test_case_2"))

    # Hints: an ordered list, reordered before saving.
    page.get_by_role("button", name="Add hint").click()
    page.get_by_label("Hint 1", exact=True).fill("Aggregate after joining.")
    page.get_by_role("button", name="Add hint").click()
    page.get_by_label("Hint 2", exact=True).fill("Think about which table holds the amounts.")
    page.get_by_role("button", name="Move hint 2 up").click()
    expect(page.get_by_label("Hint 1", exact=True)).to_have_value("Think about which table holds the amounts.")
    expect(page.get_by_label("Hint 2", exact=True)).to_have_value("Aggregate after joining.")
    field(page, "explanation").locator("textarea").fill("Group by customer, filter the sum with HAVING.")

    # The solution fails on the engine: the message sits next to the solution, nothing typed is lost.
    page.get_by_role("button", name="Create challenge").click()
    expect(error_for(page, "solution")).to_be_visible()
    expect(error_for(page, "solution")).to_contain_text("amount_paid")
    expect(page.locator(".form-error")).to_be_hidden()
    expect(field(page, "name").locator("input")).to_have_value(NAME)
    expect(field(page, "test_case_2")).to_contain_text("Secretia")
    expect(page.get_by_label("Hint 1", exact=True)).to_have_value("Think about which table holds the amounts.")
    field(page, "solution").scroll_into_view_if_needed()
    screenshot(page, "authoring-editor.png")

    # Fixed; now the hidden case's data fails to load: the message sits on test case 2.
    set_query(page, SOLUTION, within=field(page, "solution"))
    page.get_by_role("button", name="Create challenge").click()
    expect(error_for(page, "test_case_2")).to_contain_text("order_lines")
    expect(error_for(page, "solution")).to_be_hidden()
    set_query(page, HIDDEN_DATA, within=field(page, "test_case_2"))
    page.get_by_role("button", name="Create challenge").click()
    expect(page.get_by_role("heading", name=f"Edit: {NAME}")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text("draft")
    challenge_id = int(page.url.split("/my-challenges/")[1].split("/")[0])
    saved = instructor.call("GET", f"/challenges/{challenge_id}").json()["data"]
    assert saved["visibility"] == "draft" and saved["difficulty"] == "medium"
    assert saved["tags"] == ["joins", "aggregation"]
    assert saved["hints"] == ["Think about which table holds the amounts.", "Aggregate after joining."]
    assert [tc["is_visible"] for tc in saved["test_cases"]] == [True, False]
    assert saved["solution"] == SOLUTION

    # Preview as a player: the visible data, not the hidden data, solution, hints or explanation.
    page.get_by_role("tab", name="Preview as a player").click()
    shown = page.locator(".player-preview")
    expect(shown.get_by_role("heading", name=NAME)).to_be_visible()
    expect(shown.locator(".description strong")).to_have_text("more than 100")
    expect(shown).to_contain_text("'Ann'")
    expect(shown).to_contain_text("1 hidden test case")
    for secret in ("Secretia", "amount) > 100", "which table holds", "HAVING"):
        expect(shown).not_to_contain_text(secret)
    expect(field(page, "name")).to_be_hidden()
    screenshot(page, "authoring-preview.png")

    # A draft does not exist for players.
    paula = player("Paula Player")
    assert paula.call("GET", f"/challenges/{challenge_id}").status_code == 404
    listed = paula.call("GET", "/challenges", params={"q": "spenders"}).json()["data"]
    assert listed == []

    # Public with a release time in the future: still hidden from players until then.
    page.get_by_role("tab", name="Edit").click()
    field(page, "visibility").locator("select").select_option("public")
    field(page, "release_at").locator("input").fill("2099-06-01T09:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text("public")
    assert instructor.call("GET", f"/challenges/{challenge_id}").json()["data"]["release_at"].startswith("2099-06-01")
    assert paula.call("GET", f"/challenges/{challenge_id}").status_code == 404
    expect(field(page, "release_at").locator("input")).to_have_value("2099-06-01T09:00")

    # Released now (no release time): players find it and solve it.
    field(page, "release_at").locator("input").fill("")
    with page.expect_response(lambda response: response.request.method == "PUT") as saving:
        page.get_by_role("button", name="Save changes").click()
    assert saving.value.status == 200
    expect(field(page, "release_at").locator("input")).to_have_value("")
    seen = paula.call("GET", f"/challenges/{challenge_id}").json()["data"]
    assert [tc["data"] for tc in seen["test_cases"]][1] is None and "solution" not in seen and "hints" not in seen
    attempt = paula.call("POST", "/attempts", json={"challenge_id": challenge_id, "query": SOLUTION}).json()["data"]
    judged = paula.call("GET", f"/attempts/{attempt['id']}", params={"wait": 20}).json()["data"]
    assert judged["verdict"] == "ACCEPTED" and judged["score"] == 100

    # My challenges: visibility, difficulty, tags; duplicate; delete after confirming.
    page.get_by_role("link", name="← My challenges").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=NAME, exact=True))
    expect(row).to_contain_text("public")
    expect(row).to_contain_text("medium")
    expect(row).to_contain_text("joins, aggregation")
    row.get_by_role("link", name="Duplicate").click()
    expect(field(page, "name").locator("input")).to_have_value(f"Copy of {NAME}")
    expect(field(page, "test_case_2")).to_contain_text("Secretia")
    page.get_by_role("button", name="Create challenge").click()
    expect(page.get_by_role("heading", name=f"Edit: Copy of {NAME}")).to_be_visible()
    page.get_by_role("link", name="← My challenges").click()
    copy_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"Copy of {NAME}"))
    expect(copy_row).to_contain_text("draft")
    copy_id = int(copy_row.get_attribute("data-challenge-id"))
    copy_row.get_by_role("button", name="Delete").click()
    copy_row.get_by_role("button", name="Cancel").click()
    expect(copy_row.get_by_role("button", name="Delete")).to_be_visible()
    copy_row.get_by_role("button", name="Delete").click()
    copy_row.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_role("row").filter(has_text=f"Copy of {NAME}")).to_have_count(0)
    assert instructor.call("GET", f"/challenges/{copy_id}").status_code == 404
    expect(page.locator("table.my-challenges tbody tr")).to_have_count(1)


def test_a_player_who_may_not_publish_is_held_to_drafts(server, new_page, player):
    pete = player("Pete Player")
    page = new_page()
    sign_in(page, server, pete, "/my-challenges")
    expect(page.get_by_role("heading", name="My challenges")).to_be_visible()
    expect(page.get_by_role("link", name="Import a problem set")).to_have_count(0)
    page.get_by_role("link", name="New challenge").click()
    field(page, "name").locator("input").fill("Pete's practice")
    set_query(page, INIT, within=field(page, "init"))
    set_query(page, SOLUTION, within=field(page, "solution"))
    set_query(page, VISIBLE_DATA, within=field(page, "test_case_1"))
    field(page, "tags").locator("input").fill("practice, " + "x" * 41)
    visibility = field(page, "visibility").locator("select")
    visibility.select_option("public")
    page.get_by_role("button", name="Create challenge").click()
    expect(error_for(page, "tags")).to_contain_text("40 characters")
    field(page, "tags").locator("input").fill("practice")
    page.get_by_role("button", name="Create challenge").click()
    # 403: the server's message beside the visibility, which is now locked to draft; input kept.
    expect(error_for(page, "visibility")).to_contain_text("draft")
    expect(visibility).to_be_disabled()
    expect(visibility).to_have_value("draft")
    expect(field(page, "name").locator("input")).to_have_value("Pete's practice")
    page.get_by_role("button", name="Create challenge").click()
    expect(page.get_by_role("heading", name="Edit: Pete's practice")).to_be_visible()
    expect(field(page, "visibility").locator("select")).to_be_disabled()
    mine = pete.call("GET", "/challenges", params={"created_by": pete.user["id"]}).json()["data"]
    assert [(c["name"], c["visibility"]) for c in mine] == [("Pete's practice", "draft")]


def problem_set(second_solution: str) -> str:
    """A two-challenge set as an author would write it in YAML."""
    return yaml.safe_dump({
        "format": "sqlarena-problem-set/1", "name": "Week 3",
        "challenges": [
            {"name": "Rich customers", "type": "FE", "difficulty": "easy", "tags": ["having"], "init": INIT,
             "solution": SOLUTION, "test_cases": [{"data": VISIBLE_DATA, "is_visible": True},
                                                  {"data": HIDDEN_DATA, "is_visible": False}]},
            {"name": "Customer count", "type": "LE", "visibility": "draft",
             "init": "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);", "solution": second_solution,
             "test_cases": [{"data": "INSERT INTO customers VALUES (1, 'Ann');"}]},
        ]}, sort_keys=False)


def test_instructor_imports_a_problem_set_and_exports_it(server, new_page, instructor, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(problem_set("SELECT COUNT(*) AS n FROM customer"))
    good = tmp_path / "week3.yaml"
    good.write_text(problem_set("SELECT COUNT(*) AS n FROM customers"))

    page = new_page()
    sign_in(page, server, instructor, "/my-challenges")
    page.get_by_role("link", name="Import a problem set").click()
    upload = page.get_by_label("Problem set file (JSON or YAML)")

    # Dry run of a set with one bad challenge: the per-item errors, nothing stored, no import button.
    upload.set_input_files(str(broken))
    page.get_by_role("button", name="Check file").click()
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.locator("td").nth(0)).to_have_text("2")
    expect(errors.locator("td").nth(1)).to_have_text("Customer count")
    expect(errors.locator("td").nth(2)).to_contain_text("customer")
    expect(page.get_by_role("alert").filter(has_text="nothing was imported")).to_be_visible()
    expect(page.get_by_role("button", name="Import 2 challenges")).to_have_count(0)
    screenshot(page, "authoring-import.png")
    assert instructor.call("GET", "/challenges", params={"created_by": instructor.user["id"]}).json()["data"] == []

    # The fixed file: valid, then imported.
    upload.set_input_files(str(good))
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text("All 2 challenges in week3.yaml are valid")).to_be_visible()
    assert instructor.call("GET", "/challenges", params={"created_by": instructor.user["id"]}).json()["data"] == []
    page.get_by_role("button", name="Import 2 challenges").click()
    expect(page.get_by_text("Imported 2 challenges.")).to_be_visible()
    page.get_by_role("link", name="See them in My challenges").click()
    rows = page.locator("table.my-challenges tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Rich customers")).to_contain_text("public")
    expect(rows.filter(has_text="Customer count")).to_contain_text("draft")

    # Export all of mine, then only the ticked one: YAML files that parse back as the problem set.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export all mine (YAML)").click()
    document = yaml.safe_load(open(download_info.value.path()).read())
    assert document["format"] == "sqlarena-problem-set/1"
    assert [c["name"] for c in document["challenges"]] == ["Rich customers", "Customer count"]
    rich = document["challenges"][0]
    assert rich["solution"] == SOLUTION and [tc["is_visible"] for tc in rich["test_cases"]] == [True, False]
    page.get_by_label("Select Customer count").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export selected (YAML)").click()
    assert download_info.value.suggested_filename.endswith(".yaml")
    document = yaml.safe_load(open(download_info.value.path()).read())
    assert [c["name"] for c in document["challenges"]] == ["Customer count"]
