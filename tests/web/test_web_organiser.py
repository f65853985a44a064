"""Organiser pages in the browser: a room's submissions and CSV, My rooms, analytics, similar attempts,
the admin's users page and the profile's password change."""
import csv
import io
import re

from playwright.sync_api import expect

from tests.helpers import wait_until
from tests.live_server import ApiClient
from tests.web.conftest import ADMIN, PASSWORD, screenshot, sign_in

CUSTOMERS = "Customers without orders"
RIGHT = "SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)"
RIGHT_RESTYLED = "select name\n  from customers\n where id not in (select customer_id from orders)"
WRONG = "SELECT name FROM customers"


def challenge_id(client: ApiClient, name: str) -> int:
    items = client.call("GET", "/challenges?size=100").json()["data"]
    return next(c["id"] for c in items if c["name"] == name)


def judged(client: ApiClient, challenge: int, sql: str, room_id=None) -> dict:
    """Submits and waits for the verdict (a generous bound: the judge shares 2 cores with other suites)."""
    response = client.call("POST", "/attempts", json={"challenge_id": challenge, "query": sql, "room_id": room_id})
    assert response.status_code == 202, response.text
    attempt_id = response.json()["data"]["id"]

    def done():
        attempt = client.call("GET", f"/attempts/{attempt_id}").json()["data"]
        return attempt if attempt["status"] in ("COMPLETED", "FAILED") else None
    return wait_until(done, timeout_s=60, interval_s=0.2)


def browser_admin(server: str, name: str) -> ApiClient:
    """An admin account with the browser tests' password (sign_in types PASSWORD), made by the first admin."""
    email = f"{name.split()[0].lower()}@web.test"
    first = ApiClient(server).login(*ADMIN)
    response = first.call("POST", "/admin/users", json={"email": email, "full_name": name, "password": PASSWORD,
                                                         "role": "admin"})
    assert response.status_code == 201, response.text
    return ApiClient(server).login(email, PASSWORD)


def room_state(client: ApiClient, room_id: int) -> str:
    return client.call("GET", f"/rooms/{room_id}").json()["data"]["state"]


def finished_room(host: ApiClient, student: ApiClient, challenge: int) -> tuple[dict, dict]:
    """A room hosted (not played) by `host`, where `student` made a wrong then a right attempt; FINISHED."""
    room = host.call("POST", "/rooms", json={"name": "Thursday lab", "challenge_ids": [challenge], "duration_s": 600,
                                              "max_players": 2, "host_plays": False}).json()["data"]
    assert student.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 200
    assert host.call("POST", f"/rooms/{room['id']}/start").status_code == 200
    wait_until(lambda: room_state(host, room["id"]) == "RUNNING", timeout_s=30, interval_s=0.2)
    wrong = judged(student, challenge, WRONG, room["id"])
    judged(student, challenge, RIGHT, room["id"])
    if room_state(host, room["id"]) != "FINISHED":   # every challenge accepted finishes it on its own
        host.call("POST", f"/rooms/{room['id']}/end")
    wait_until(lambda: room_state(host, room["id"]) == "FINISHED", timeout_s=30, interval_s=0.2)
    return room, wrong


def test_host_opens_a_students_attempt_downloads_the_csv_and_finds_the_room_again(server, new_page, player):
    hana, sam = player("Hana Host"), player("Sam Student")
    room, wrong = finished_room(hana, sam, challenge_id(hana, CUSTOMERS))
    page = new_page()

    # From My rooms to the room's submissions; filter by the student and open the wrong attempt.
    sign_in(page, server, hana, "/my-rooms")
    row = page.locator("table.my-rooms tbody tr").filter(has_text="Thursday lab")
    expect(row).to_contain_text("Finished")
    expect(row).to_contain_text("Host")
    row.get_by_role("link", name="Submissions").click()
    expect(page.get_by_role("heading", name="Submissions: Thursday lab")).to_be_visible()
    page.get_by_label("Player").select_option(label="Sam Student")
    rows = page.locator("table.submissions tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("button", name=f"Open attempt {wrong['id']}").click()
    detail = page.locator(".submission-detail")
    expect(detail.get_by_role("heading", name=f"Attempt #{wrong['id']} by Sam Student")).to_be_visible()
    expect(detail.locator("pre.sql")).to_have_text(WRONG)
    expect(detail.locator(".case")).to_have_count(len(wrong["cases"]))
    expect(detail.locator(".case").first.locator("[data-verdict]")).to_have_attribute("data-verdict", "WRONG_ANSWER")
    expect(detail.get_by_text("(hidden)").first).to_be_visible()   # the host reads hidden cases too
    expect(detail.locator(".case").first.locator("caption")).to_have_text(["Expected", "Their result"])
    screenshot(page, "room-submissions.png")

    # The gradebook as CSV: one row for the student, with the e-mail, the challenge's columns and totals.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download results (CSV)").click()
    assert download_info.value.suggested_filename == f"room-{room['id']}-results.csv"
    table = list(csv.reader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    header, rows_by_email = table[0], {line[2]: line for line in table[1:]}
    assert header[:4] == ["rank", "user_id", "email", "full_name"] and any(CUSTOMERS in column for column in header)
    assert list(rows_by_email) == [sam.user["email"]]
    line = dict(zip(header, rows_by_email[sam.user["email"]]))
    assert line["full_name"] == "Sam Student" and float(line["total_score"]) == 100 and line["total_attempts"] == "2"

    # The host closes the tab; in a new one, the room is still under My rooms, and its link leads back in.
    context = page.context
    page.close()
    again = context.new_page()
    again.goto(server)
    again.get_by_role("link", name="Rooms", exact=True).click()
    again.get_by_role("link", name="My rooms").click()
    again.locator("table.my-rooms").get_by_role("link", name="Thursday lab").click()
    expect(again).to_have_url(re.compile(f"#/rooms/{room['id']}$"))
    expect(again.locator(f".room[data-room-state='FINISHED']")).to_be_visible()


def test_admin_makes_a_user_an_instructor_and_creates_one(server, new_page, player):
    ivy = player("Ivy Promoted")
    admin = browser_admin(server, "Ada Admin")
    page = new_page()
    sign_in(page, server, admin, "/admin/users")
    page.get_by_label("Search users").fill("ivy promoted")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.users tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ivy.user["email"])
    page.get_by_label("Role of Ivy Promoted").select_option("instructor")
    rows.first.get_by_role("button", name="Save role").click()
    expect(page.locator("#banner")).to_contain_text("Ivy Promoted is now an instructor")
    assert ivy.call("GET", "/me").json()["data"]["role"] == "instructor"

    rows.first.get_by_role("button", name="Reset password").click()
    page.get_by_label("New password for Ivy Promoted").fill("reset-by-admin-9")
    rows.first.get_by_role("button", name="Set").click()
    expect(page.locator("#banner")).to_contain_text("New password set for Ivy Promoted")
    assert ApiClient(server).login(ivy.user["email"], "reset-by-admin-9").user["role"] == "instructor"

    form = page.locator("form").filter(has=page.get_by_role("heading", name="Create an account"))
    form.get_by_label("Full name").fill("Tess Teacher")
    form.get_by_label("E-mail").fill("tess@web.test")
    form.get_by_label("Password").fill("tess-pw-123")
    form.get_by_role("button", name="Create account").click()
    expect(page.locator("#banner")).to_contain_text("Created Tess Teacher (instructor)")
    expect(page.locator("table.users tbody tr")).to_have_count(1)
    assert ApiClient(server).login("tess@web.test", "tess-pw-123").user["role"] == "instructor"


def test_player_changes_the_password_in_the_profile_and_signs_in_with_it(server, new_page, player):
    pat = player("Pat Profile")
    page = new_page()
    sign_in(page, server, pat, "/profile")
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    expect(page.locator(".stat").filter(has_text="challenges solved")).to_contain_text("0 of")
    page.get_by_label("Repeat the new password").fill("mismatch")   # refused in the page, nothing sent
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("brand-new-pw-7")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#banner")).to_contain_text("The two new passwords differ")
    page.get_by_label("Repeat the new password").fill("brand-new-pw-7")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#banner")).to_contain_text("Password changed.")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("E-mail").fill(pat.user["email"])
    page.get_by_label("Password").fill("brand-new-pw-7")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Challenges")).to_be_visible()
    assert ApiClient(server).call("POST", "/login", json={"email": pat.user["email"], "password": PASSWORD}).status_code == 401


def test_analytics_charts_and_the_similar_queries_side_by_side(server, new_page, player):
    ana, ben, cy = player("Ana Alike"), player("Ben Alike"), player("Cy Other")
    challenge = challenge_id(ana, CUSTOMERS)
    judged(cy, challenge, WRONG)
    judged(ana, challenge, RIGHT)
    judged(ben, challenge, RIGHT_RESTYLED)
    admin = browser_admin(server, "Abe Admin")
    page = new_page()
    page.set_viewport_size({"width": 1100, "height": 1000})

    sign_in(page, server, admin, f"/challenges/{challenge}/analytics")
    charts = page.locator("figure.chart")
    expect(charts).to_have_count(4)
    for title in ("Verdict distribution", "Acceptance over time", "Failure rate per test case",
                  "Execution time distribution"):
        expect(page.locator(f"figure.chart[data-chart='{title}']")).to_have_attribute("data-drawn", "true")
    expect(page.locator(".stat").filter(has_text="players accepted")).not_to_contain_text(re.compile(r"^0"))
    screenshot(page, "analytics.png")

    page.get_by_role("navigation", name="Organiser views").get_by_role("link", name="Similar attempts").click()
    pair = page.locator("table.similar-pairs tbody tr").filter(has_text="Ana Alike and Ben Alike")
    pair.get_by_role("button", name="Compare").click()   # other tests' players may share it too
    view = page.locator(".similar-view")
    expect(view.locator(".shared-by")).to_contain_text("players share this structure")
    panes = view.locator(".diff-pane")
    expect(panes.nth(0)).to_contain_text("Ana Alike")
    expect(panes.nth(1)).to_contain_text("Ben Alike")
    expect(panes.nth(1).locator("mark.diff-added").first).to_be_visible()
    assert panes.nth(1).locator("pre").inner_text() == RIGHT_RESTYLED
    screenshot(page, "similarity.png")

    # The challenge page's Submissions tab (admins and the creator) lists everyone's attempts.
    page.get_by_role("navigation", name="Organiser views").get_by_role("link", name="Challenge").click()
    page.get_by_role("tab", name="Submissions").click()
    page.get_by_label("Verdict").select_option(label="Wrong answer")
    expect(page.locator("table.submissions tbody tr").filter(has_text="Cy Other").first).to_be_visible()
