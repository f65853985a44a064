"""A learner in the browser: filtered challenge lists, hints, the solution once solved, leaderboards
with pages, every page on a 390 px phone, and how the bundle is served."""
import gzip
import itertools
import re

import requests
from playwright.sync_api import expect

from tests.helpers import SIMPLE_CASES, SIMPLE_INIT
from tests.web.conftest import screenshot, set_query, sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}
CHEAP = "SELECT id, name FROM items WHERE price < 6 ORDER BY id"
_unique = itertools.count(1)


def learner_challenge(author, **fields) -> dict:
    """A challenge on the small items table, created through the API by `author`."""
    body = {"name": f"Cheap items {next(_unique)}", "description": "Items cheaper than 6, by `id`.", "type": "FE",
            "init": SIMPLE_INIT, "solution": CHEAP, "test_cases": [dict(tc) for tc in SIMPLE_CASES], **fields}
    response = author.call("POST", "/challenges", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def solve(client, challenge_id: int, query: str = CHEAP) -> dict:
    """Submits `query` and waits until it is judged (GET ?wait)."""
    response = client.call("POST", "/attempts", json={"challenge_id": challenge_id, "query": query})
    assert response.status_code == 202, response.text
    attempt = client.call("GET", f"/attempts/{response.json()['data']['id']}?wait=30").json()["data"]
    assert attempt["status"] == "COMPLETED", attempt
    return attempt


def assert_fits(page, width: int) -> None:
    """Nothing scrolls sideways: the document is no wider than the viewport."""
    page.wait_for_load_state("networkidle")
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: {scroll_width} px wide in a {width} px viewport"


def test_student_reveals_a_hint_solves_and_reads_the_solution(server, new_page, player):
    author, student = player("Ada Author"), player("Sam Student")
    challenge = learner_challenge(author, difficulty="easy", tags=["filtering", "basics"],
                                  hints=["Look at the price column.", "Keep rows WHERE price < 6."],
                                  explanation="A `WHERE` keeps the cheap rows; `ORDER BY id` fixes the order.")
    page = new_page()
    sign_in(page, server, student, f"/challenges/{challenge['id']}")
    expect(page.get_by_role("heading", name=challenge["name"])).to_be_visible()
    expect(page.locator(".page-head [data-difficulty]")).to_have_text("Easy")
    expect(page.locator(".page-head .tags")).to_contain_text("#filtering")

    # Locked before solving: the tab says so, and the API's reason is shown.
    solution_tab = page.get_by_role("tab", name=re.compile("Solution"))
    expect(solution_tab).to_have_text("Solution 🔒")
    solution_tab.click()
    expect(page.locator("[data-locked]")).to_contain_text("Locked")
    expect(page.locator(".solution pre")).to_have_count(0)
    page.get_by_role("tab", name="Problem").click()

    # One hint at a time, the count left on the button; kept after a reload.
    page.get_by_role("button", name="Hint (2 left)").click()
    expect(page.locator(".hint")).to_have_text(["Look at the price column."])
    expect(page.get_by_role("button", name="Hint (1 left)")).to_be_visible()
    page.reload()
    expect(page.locator(".hint")).to_have_text(["Look at the price column."])
    expect(page.get_by_role("button", name="Hint (1 left)")).to_be_visible()
    elsewhere = new_page()   # another browser: the revealed hint comes from the server
    sign_in(elsewhere, server, student, f"/challenges/{challenge['id']}")
    expect(elsewhere.locator(".hint")).to_have_text(["Look at the price column."])
    expect(elsewhere.get_by_role("button", name="Hint (1 left)")).to_be_visible()
    elsewhere.close()

    set_query(page, CHEAP)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".attempt .attempt-head [data-verdict]")).to_have_attribute("data-verdict", "ACCEPTED")
    expect(solution_tab).to_have_text("Solution")
    solution_tab.click()
    expect(page.locator(".solution pre")).to_have_text(CHEAP)
    expect(page.locator(".solution")).to_contain_text("keeps the cheap rows")
    expect(page.locator(".solution code").first).to_have_text("WHERE")
    screenshot(page, "challenge-solution.png")


def test_challenge_list_filters_by_tag_search_and_solved(server, new_page, player):
    author, student = player("Fay Filter"), player("Lou Lister")
    run = next(_unique)
    tag = f"window{run}"
    ranked = learner_challenge(author, name=f"Rank the items {run}", difficulty="hard", tags=[tag, "ranking"])
    running = learner_challenge(author, name=f"Running totals {run}", difficulty="medium", tags=[tag])
    other = learner_challenge(author, name=f"Plain list {run}", difficulty="easy", tags=["basics"])
    solve(student, running["id"])
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, server, student)
    rows = page.locator("table.challenges tbody tr")
    expect(rows.first).to_be_visible()

    # By tag (typed): only the two tagged challenges, each with its difficulty and solved state.
    page.get_by_label("Tag").fill(tag)
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=ranked["name"]).locator("[data-difficulty]")).to_have_text("Hard")
    expect(rows.filter(has_text=running["name"]).locator("td.you")).to_have_text("Solved ✓")
    expect(rows.filter(has_text=ranked["name"]).locator("td.you")).to_have_text("Not solved")
    assert f"tag={tag}" in page.url  # the filters live in the URL: a reload keeps them
    page.reload()
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Tag")).to_have_value(tag)

    # Only what is not solved yet.
    page.get_by_label("Status").select_option("false")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ranked["name"])
    page.get_by_label("Status").select_option("")

    # By search text, across every tag.
    page.get_by_label("Tag").fill("")
    page.get_by_label("Search").fill(f"plain list {run}")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(other["name"])
    expect(page.locator("[data-total]")).to_have_text("1 challenge match")

    # A tag link in a row filters by that tag.
    page.get_by_label("Search").fill("")
    expect(rows.filter(has_text=ranked["name"])).to_have_count(1)
    rows.filter(has_text=ranked["name"]).get_by_role("link", name="#ranking").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_label("Tag")).to_have_value("ranking")
    # "Solved" came from the list filters, never from one leaderboard request per row; and the
    # list never downloaded the editor (CodeMirror is a chunk of its own).
    assert not [url for url in requested if "/leaderboard" in url or "/static/dist/editor-" in url], requested


def test_overall_leaderboard_shows_the_api_order(server, new_page, player):
    author = player("Otto Organiser")
    first, second = learner_challenge(author), learner_challenge(author)
    strong, middle, weak = player("Stella Strong"), player("Milo Middle"), player("Wanda Weak")
    solve(strong, first["id"])
    solve(strong, second["id"])
    solve(middle, first["id"])
    solve(weak, first["id"], "SELECT id, name FROM items")   # judged, not accepted
    expected = [entry["full_name"] for entry in middle.call("GET", "/leaderboard?size=20").json()["data"]]
    assert expected.index("Stella Strong") < expected.index("Milo Middle") < expected.index("Wanda Weak")

    page = new_page()
    sign_in(page, server, middle)
    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    rows = page.locator("table.overall-leaderboard tbody tr")
    expect(rows).to_have_count(len(expected))
    names = [re.sub(r" \(you\)$", "", text) for text in rows.locator("td:nth-child(2)").all_inner_texts()]
    assert names == expected
    expect(rows.filter(has_text="Milo Middle")).to_have_class("me")
    expect(rows.filter(has_text="Stella Strong").locator("td:nth-child(3)")).to_have_text("2")


def test_challenge_leaderboard_pages_through_every_player(server, new_page, player):
    author = player("Pat Pager")
    challenge = learner_challenge(author)
    climbers = [player(f"Climber {n:02d}") for n in range(21)]
    for climber in climbers:
        solve(climber, challenge["id"])
    page = new_page()
    sign_in(page, server, climbers[-1], f"/challenges/{challenge['id']}")
    board = page.locator(".leaderboard-host")
    names = board.locator("tbody td:nth-child(2)")
    expect(names).to_have_count(20)
    expect(board.get_by_text("Page 1 of 2")).to_be_visible()
    first_page = names.all_inner_texts()
    board.get_by_role("button", name="Next →").click()
    expect(board.get_by_text("Page 2 of 2")).to_be_visible()
    expect(board.locator("tbody td:first-child")).to_have_text(["21"])
    everyone = {re.sub(r" \(you\)$", "", name) for name in first_page + names.all_inner_texts()}
    assert everyone == {climber.user["full_name"] for climber in climbers}


def test_every_page_fits_a_phone_and_a_wide_screen(server, new_page, player):
    author, student = player("Wide Author"), player("Phoebe Phone")
    challenge = learner_challenge(author, name="A challenge with a rather long name to wrap on phones",
                                  difficulty="medium", tags=["filtering", "phones"], hints=["Use WHERE."])
    attempt = solve(student, challenge["id"])
    room = student.call("POST", "/rooms", json={"name": "Phone duel", "challenge_ids": [challenge["id"]],
                                                "duration_s": 600, "max_players": 2}).json()["data"]
    pages = {"challenge-list": "/challenges", "challenge": f"/challenges/{challenge['id']}",
             "leaderboard": "/leaderboard", "rooms": "/rooms", "room": f"/rooms/{room['id']}",
             "attempts": "/attempts", "attempt": f"/attempts/{attempt['id']}"}
    page = new_page()
    sign_in(page, server, student)
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            page.goto(f"{server}/#{path}")
            expect(page.locator("main h1")).to_be_visible()
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
            assert_fits(page, viewport["width"])
            if viewport is PHONE and name in ("challenge-list", "challenge", "leaderboard"):
                expect(page.locator("#connection")).to_be_hidden()
                screenshot(page, f"phone-{name}.png")

    # The editor wraps a long query instead of widening the page.
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/#/challenges/{challenge['id']}")
    set_query(page, "SELECT id, name FROM items WHERE price < 6 AND name <> 'a very long literal' ORDER BY id, name")
    expect(page.locator(".cm-content")).to_have_class(re.compile("cm-lineWrapping"))
    assert_fits(page, PHONE["width"])


def test_bundle_is_hashed_gzipped_and_cached_for_a_year(server):
    index = requests.get(f"{server}/", timeout=10)
    assert index.headers["Cache-Control"] == "no-cache"
    script = re.search(r'<script src="(/static/dist/main-[A-Z0-9]+\.js)"', index.text).group(1)
    stylesheet = re.search(r'href="(/static/dist/main-[A-Z0-9]+\.css)"', index.text).group(1)
    for path in (script, stylesheet):
        zipped = requests.get(f"{server}{path}", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
        body = zipped.raw.read()
        plain = requests.get(f"{server}{path}", headers={"Accept-Encoding": "identity"}, timeout=10)
        assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
        assert gzip.decompress(body) == plain.content and len(body) < len(plain.content) / 2
        for response in (zipped, plain):
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert response.headers["Vary"] == "Accept-Encoding"
        assert zipped.headers["Content-Type"] == plain.headers["Content-Type"]
    assert requests.get(f"{server}/static/dist/main-OLDBUILD.js", timeout=10).status_code == 404
