"""A new player in the browser: register, open a demo challenge, run, submit, watch it judged live."""
import re

from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, screenshot, set_query, sign_in

CHALLENGE = "Customers without orders"
CORRECT = "SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)"
WRONG = "SELECT name FROM customers"
ATTEMPT_BY_ID = re.compile(r"/api/attempts/\d+$")


def test_player_registers_solves_and_climbs_the_leaderboard(server, new_page):
    page = new_page()
    page.goto(server)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Full name").fill("Paula Player")
    page.get_by_label("E-mail").fill("paula@web.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()

    # The challenge list: type, engine and (not yet) solved.
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=CHALLENGE))
    expect(row).to_contain_text("FE")
    expect(row).to_contain_text("SQLite")
    expect(row.locator("td.you")).to_have_text("Not solved")
    expect(page.get_by_text("Paula Player (player)")).to_be_visible()
    screenshot(page, "challenge-list.png")

    row.get_by_role("link", name=CHALLENGE).click()
    expect(page.get_by_role("heading", name=CHALLENGE)).to_be_visible()
    expect(page.locator("pre.sql").first).to_contain_text("CREATE TABLE customers")
    expect(page.get_by_text("Visible test data 1")).to_be_visible()
    expect(page.get_by_text("Nobody has a judged attempt yet")).to_be_visible()  # leaderboard subscribed

    # Autocompletion offers the challenge's own tables and columns.
    page.locator(".cm-content").click()
    page.keyboard.type("SELECT * FROM cust")
    expect(page.locator(".cm-tooltip-autocomplete")).to_contain_text("customers")
    page.keyboard.press("Escape")

    # Run shows the result on the visible data without submitting.
    set_query(page, CORRECT)
    page.get_by_role("button", name="Run").click()
    run_output = page.locator(".run-output")
    expect(run_output).to_contain_text("Run result (not submitted)")
    expect(run_output.get_by_role("table", name="Yours")).to_contain_text("Zoe")
    expect(run_output.get_by_role("table", name="Expected")).to_contain_text("Zoe")
    expect(page.locator(".attempt")).to_have_count(0)
    # A query the judge refuses: Run shows the gate's message, nothing is stored.
    set_query(page, "DELETE FROM customers")
    page.get_by_role("button", name="Run").click()
    expect(run_output.locator(".error-text")).to_be_visible()

    # A wrong answer: judged with feedback and expected vs actual on the visible case.
    set_query(page, WRONG)
    page.get_by_role("button", name="Submit").click()
    attempt = page.locator(".attempt")
    expect(attempt).to_have_attribute("data-status", "COMPLETED")
    expect(attempt.locator(".attempt-head [data-verdict]")).to_have_attribute("data-verdict", "WRONG_ANSWER")
    expect(attempt.locator(".feedback").first).to_be_visible()
    expect(attempt.get_by_role("table").filter(has_text="Expected")).to_contain_text("Zoe")

    # The correct query, submitted with Ctrl+Enter. REST reads of the attempt are blocked, so
    # everything the page shows about it must come from the live Socket.IO events.
    def only_live(route):
        if route.request.method == "GET" and ATTEMPT_BY_ID.search(route.request.url):
            return route.abort()
        return route.continue_()
    page.route("**/api/attempts/**", only_live)
    wrong_attempt_id = attempt.get_attribute("data-attempt-id")
    set_query(page, CORRECT)
    page.keyboard.press("Control+Enter")
    expect(attempt).not_to_have_attribute("data-attempt-id", wrong_attempt_id)
    expect(attempt).to_have_attribute("data-status", "COMPLETED")
    cases = attempt.locator("li.case")
    expect(cases).to_have_count(2)
    for case in cases.all():
        expect(case.locator("[data-verdict]")).to_have_attribute("data-verdict", "ACCEPTED")
    expect(cases.filter(has_text="(hidden)")).to_have_count(1)
    expect(attempt).to_contain_text("Score 100")
    visible_case = cases.filter(has_not_text="(hidden)")
    visible_case.get_by_text("Expected vs your result").click()
    expect(visible_case.get_by_role("table").filter(has_text="Your result")).to_contain_text("Zoe")
    page.unroute("**/api/attempts/**")

    # The live leaderboard shows the player, marked as them.
    board = page.locator(".leaderboard")
    expect(board.locator("tr.me")).to_contain_text("Paula Player (you)")
    expect(board.locator("tr.me")).to_contain_text("100")
    page.locator(".editor").evaluate("node => node.scrollIntoView()")
    screenshot(page, "challenge-judged.png")

    # The attempt history lists both attempts, newest first.
    page.get_by_role("link", name="My attempts").click()
    history = page.locator("table.attempts tbody tr")
    expect(history).to_have_count(2)
    expect(history.first.locator("[data-verdict]")).to_have_attribute("data-verdict", "ACCEPTED")
    expect(history.nth(1).locator("[data-verdict]")).to_have_attribute("data-verdict", "WRONG_ANSWER")

    # And the challenge list now shows it solved.
    page.get_by_role("link", name="Challenges", exact=True).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=CHALLENGE))
    expect(row.locator("td.you")).to_have_text("Solved ✓")


def test_leaderboard_moves_live_when_another_player_scores(server, new_page, player):
    """A page watching a challenge sees someone else's result land without reloading."""
    rival = player("Rita Rival")
    watcher = player("Walter Watcher")
    page = new_page()
    sign_in(page, server, watcher)
    page.get_by_role("link", name="Second highest salary").click()
    board = page.locator(".leaderboard-host")
    expect(board).not_to_contain_text("Loading")
    challenge_id = int(page.url.rsplit("/", 1)[1])
    response = rival.call("POST", "/attempts", json={
        "challenge_id": challenge_id,
        "query": "SELECT (SELECT DISTINCT salary FROM employees ORDER BY salary DESC LIMIT 1 OFFSET 1) AS second_highest_salary"})
    assert response.status_code == 202, response.text
    expect(board.get_by_role("row").filter(has_text="Rita Rival")).to_contain_text("100")


def test_api_errors_are_shown_plainly(server, new_page, player):
    page = new_page()
    page.goto(f"{server}/#/login")
    page.get_by_label("E-mail").fill("nobody@web.test")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert alert.inner_text().strip(), "the API's message is shown"
    # Registering twice with one e-mail: the API's conflict message, not a generic failure.
    taken = player("Tom Taken")
    page.goto(f"{server}/#/register")
    page.get_by_label("Full name").fill("Tom Again")
    page.get_by_label("E-mail").fill(taken.user["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("already|exists|registered|taken", re.I))
    # A join code that does not exist.
    sign_in(page, server, taken, "/rooms")
    page.get_by_label("Join code").fill("ZZZZZZ")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("no room", re.I))


def test_dropped_connection_shows_reconnecting_and_recovers(server, new_page, player):
    """The network drops: a banner says so; when it is back, live updates flow again."""
    rival, viewer = player("Rosa Reconnect"), player("Vic Viewer")
    page = new_page()
    sign_in(page, server, viewer)
    page.get_by_role("link", name="Top earner per department").click()
    board = page.locator(".leaderboard-host")
    expect(board).not_to_contain_text("Loading")
    banner = page.locator("#connection")
    expect(banner).to_be_hidden()
    page.context.set_offline(True)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("reconnecting")
    page.context.set_offline(False)
    expect(banner).to_be_hidden()
    # The challenge channel was re-joined after the reconnect: a new result still arrives live.
    challenge_id = int(page.url.rsplit("/", 1)[1])
    response = rival.call("POST", "/attempts", json={
        "challenge_id": challenge_id,
        "query": "SELECT d.name AS department, e.name AS employee, e.salary FROM employees e "
                 "JOIN departments d ON d.id = e.department_id WHERE e.salary = (SELECT MAX(salary) "
                 "FROM employees x WHERE x.department_id = e.department_id) ORDER BY d.name, e.name"})
    assert response.status_code == 202, response.text
    expect(board.get_by_role("row").filter(has_text="Rosa Reconnect")).to_contain_text("100")


def test_tokens_are_refreshed_and_an_expired_session_asks_to_sign_in_again(server, new_page, player):
    client = player("Tina Token")
    page = new_page()
    sign_in(page, server, client)
    session_of = "() => JSON.parse(localStorage.getItem('sqlarena.session'))"
    # A rejected access token (expired, revoked, tampered: all 401) is renewed with the refresh token,
    # for REST calls and for the Socket.IO connection alike.
    page.evaluate("() => { const s = JSON.parse(localStorage.getItem('sqlarena.session'));"
                  " s.access_token = 'not-a-valid-token'; localStorage.setItem('sqlarena.session', JSON.stringify(s)); }")
    page.reload()
    page.get_by_role("link", name="Revenue per country").click()
    expect(page.locator(".leaderboard-host")).not_to_contain_text("Loading")
    assert page.evaluate(session_of)["access_token"] != "not-a-valid-token"
    expect(page.get_by_role("alert")).to_have_count(0)
    # With the refresh token gone too, the user is sent to sign in, told why, and comes back after.
    page.evaluate("() => { const s = JSON.parse(localStorage.getItem('sqlarena.session'));"
                  " s.access_token = 'bad'; s.refresh_token = 'bad'; localStorage.setItem('sqlarena.session', JSON.stringify(s)); }")
    challenge_hash = page.url.split("#", 1)[1]
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your session has expired")).to_be_visible()
    page.get_by_label("E-mail").fill(client.user["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Revenue per country")).to_be_visible()
    assert page.url.endswith(challenge_hash)
