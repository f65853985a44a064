"""Issue 13 in the browser: sample data as tables, Run's "yours" beside "expected" with the differing
rows marked, alias completion in the editor, and the after-room review beside the reference solution."""
import itertools

from playwright.sync_api import expect

from tests.helpers import wait_until
from tests.web.conftest import screenshot, set_query, sign_in

INIT = "CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, salary INTEGER);"
DATA = "INSERT INTO employees VALUES (1, 'Ann', 300), (2, 'Bob', 200), (3, 'Cy', 100), (4, 'Di', 250);"
SOLUTION = "SELECT name FROM employees WHERE salary >= 250 ORDER BY name"
HIDDEN = "INSERT INTO employees VALUES (7, 'Hidden Hal', 999);"
_unique = itertools.count(1)


def employees_challenge(author) -> dict:
    body = {"name": f"Well paid {next(_unique)}", "description": "Names earning at least 250.", "type": "FE",
            "init": INIT, "solution": SOLUTION,
            "test_cases": [{"data": DATA, "is_visible": True}, {"data": HIDDEN, "is_visible": False}]}
    response = author.call("POST", "/challenges", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_sample_data_shows_as_tables(server, new_page, player):
    author, student = player("Tia Tables"), player("Sid Sample")
    challenge = employees_challenge(author)
    page = new_page()
    sign_in(page, server, student, f"/challenges/{challenge['id']}")
    table = page.locator(".sample-data .sample-table[data-table='employees']")
    expect(page.locator(".sample-data summary")).to_have_text(["Visible test data 1"])
    expect(table.locator("caption")).to_have_text("employees")
    expect(table.locator("thead th")).to_have_text(["id", "name", "salary"])
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("tbody tr").first.locator("td")).to_have_text(["1", "Ann", "300"])
    expect(table).to_contain_text("4 rows")
    expect(page.locator(".brief")).not_to_contain_text("INSERT INTO")
    expect(page.locator(".brief")).not_to_contain_text("Hidden Hal")


def test_wrong_run_marks_the_rows_that_differ_from_the_expected(server, new_page, player):
    author, student = player("Eve Expected"), player("Will Wrong")
    challenge = employees_challenge(author)
    page = new_page()
    sign_in(page, server, student, f"/challenges/{challenge['id']}")
    set_query(page, "SELECT name FROM employees WHERE salary >= 200 ORDER BY name")
    page.keyboard.press("Escape")   # close the completion list
    page.get_by_role("button", name="Run").click()
    case = page.locator(".run-case")
    expect(case).to_have_count(1)   # the hidden case is never run for the browser
    expect(case.locator("[data-verdict]")).to_have_attribute("data-verdict", "WRONG_ANSWER")
    expect(case.locator(".feedback")).not_to_be_empty()
    expect(case.locator(".yours tbody tr")).to_have_text(["Ann", "Bob", "Di"])
    expect(case.locator(".expected tbody tr")).to_have_text(["Ann", "Di"])
    expect(case.locator(".yours tr[data-differs]")).to_have_text(["Bob"])
    expect(case.locator(".expected tr[data-differs]")).to_have_count(0)
    case.scroll_into_view_if_needed()
    screenshot(page, "run-compare.png")

    # Rows compare as a multiset: a duplicate "Ann" leaves exactly one of the two marked.
    set_query(page, "SELECT name FROM employees WHERE salary >= 250 UNION ALL SELECT 'Ann' ORDER BY name")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Run").click()
    expect(case.locator(".yours tbody tr")).to_have_text(["Ann", "Ann", "Di"])
    expect(case.locator(".yours tr[data-differs]")).to_have_text(["Ann"])
    expect(case.locator(".expected tr[data-differs]")).to_have_count(0)

    set_query(page, SOLUTION)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Run").click()
    expect(case.locator("[data-verdict]")).to_have_attribute("data-verdict", "ACCEPTED")
    expect(case.locator("tr[data-differs]")).to_have_count(0)


def test_alias_completes_columns_before_the_query_is_finished(server, new_page, player):
    author, student = player("Al Alias"), player("Cora Complete")
    challenge = employees_challenge(author)
    page = new_page()
    sign_in(page, server, student, f"/challenges/{challenge['id']}")
    # The alias is declared inside an unfinished subquery: `e.` typed before it is complete.
    suffix = " FROM employees e"
    set_query(page, "SELECT name FROM employees WHERE salary > ALL (SELECT " + suffix)
    page.keyboard.press("Control+End")
    for _ in suffix:
        page.keyboard.press("ArrowLeft")
    page.keyboard.type("e.sal")
    option = page.locator(".cm-tooltip-autocomplete li").filter(has_text="salary").first
    expect(option).to_be_visible()
    option.click()
    expect(page.locator(".cm-content")).to_contain_text("(SELECT e.salary FROM employees e")


def test_after_a_finished_room_the_last_query_sits_beside_the_solution(server, new_page, player):
    host, guest = player("Hal Host"), player("Pia Player")
    challenge = employees_challenge(host)
    created = host.call("POST", "/rooms", json={"name": "Review duel", "challenge_ids": [challenge["id"]],
                                                "duration_s": 300, "max_players": 2})
    assert created.status_code == 201, created.text
    room = created.json()["data"]
    assert guest.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 200
    assert host.call("POST", f"/rooms/{room['id']}/start").status_code == 200
    wait_until(lambda: guest.call("GET", f"/rooms/{room['id']}").json()["data"]["state"] == "RUNNING", 30)
    for query in ("SELECT name FROM employees", "SELECT name FROM employees WHERE salary > 100"):
        submitted = guest.call("POST", "/attempts", json={"challenge_id": challenge["id"], "query": query,
                                                           "room_id": room["id"]})
        assert submitted.status_code == 202, submitted.text
        guest.call("GET", f"/attempts/{submitted.json()['data']['id']}?wait=30")
    assert host.call("POST", f"/rooms/{room['id']}/end").status_code == 200

    page = new_page()
    sign_in(page, server, guest, f"/rooms/{room['id']}")
    review = page.locator(f".after-room .review[data-challenge-id='{challenge['id']}']")
    expect(review.locator(".your-query pre")).to_have_text("SELECT name FROM employees WHERE salary > 100")
    expect(review.locator(".reference pre")).to_have_text(SOLUTION)
    expect(review.locator("[data-verdict]")).to_have_attribute("data-verdict", "WRONG_ANSWER")
