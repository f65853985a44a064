"""Rooms in the browser: a full duel watched by a spectator, a reload mid-game, host controls."""
import re


from playwright.sync_api import expect

from tests.live_server import ApiClient
from tests.web.conftest import ADMIN, PASSWORD, screenshot, set_query, sign_in

CUSTOMERS = "Customers without orders"
CUSTOMERS_SQL = "SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)"
SECOND = "Second highest salary"
SECOND_SQL = ("SELECT (SELECT DISTINCT salary FROM employees ORDER BY salary DESC LIMIT 1 OFFSET 1) "
              "AS second_highest_salary")


def room_state(page):
    return page.locator(".room[data-room-state]")


def demo_challenge_ids(client) -> dict:
    items = client.call("GET", "/challenges?size=100").json()["data"]
    return {c["name"]: c["id"] for c in items}


def join_by_code(page, code: str) -> None:
    page.get_by_role("link", name="Rooms").click()
    page.get_by_label("Join code").fill(code)
    page.get_by_role("button", name="Join", exact=True).click()


def standings_row(page, name: str):
    return page.locator("table.standings tbody tr").filter(has_text=name)


def test_duel_from_lobby_to_results_with_a_spectator(server, new_page, player):
    alice, bob, carol = player("Alice Ace"), player("Bob Bold"), player("Carol Curious")
    host, guest, watcher = new_page(), new_page(), new_page()

    # Alice creates a 30-second duel on one quick challenge.
    sign_in(host, server, alice, "/rooms")
    host.get_by_label("Room name").fill("Friday duel")
    for box in host.locator(".challenge-picks input:checked").all():
        box.uncheck()
    host.get_by_label(CUSTOMERS).check()
    host.get_by_label("Duration (minutes)").fill("0.5")
    host.get_by_role("button", name="Create room").click()
    expect(room_state(host)).to_have_attribute("data-room-state", "LOBBY")
    code = host.locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4,}", code), code

    # Bob joins with the code and says he is ready; Alice sees it live.
    sign_in(guest, server, bob)
    join_by_code(guest, code)
    expect(room_state(guest)).to_have_attribute("data-room-state", "LOBBY")
    expect(guest.locator(".seat").filter(has_text="Bob Bold (you)")).to_be_visible()
    bob_seat = host.locator(".seat").filter(has_text="Bob Bold")
    expect(bob_seat.locator(".ready")).to_have_text("Not ready")
    guest.get_by_role("button", name="I'm ready").click()
    expect(bob_seat.locator(".ready")).to_have_text("Ready")
    expect(bob_seat.locator(".dot")).to_have_class(re.compile("online"))
    screenshot(host, "room-lobby.png")

    # Start: a server-timed countdown, then the running view with its clock.
    host.get_by_role("button", name="Start the game").click()
    expect(guest.locator(".countdown")).to_be_visible()
    for page in (host, guest):
        expect(room_state(page)).to_have_attribute("data-room-state", "RUNNING")
        expect(page.locator(".clock")).to_contain_text(re.compile(r"Time left \d+:\d\d"))
        expect(page.get_by_role("tab", name=re.compile(CUSTOMERS))).to_be_visible()

    # Carol arrives after the start: she can only watch.
    sign_in(watcher, server, carol)
    join_by_code(watcher, code)
    expect(room_state(watcher)).to_have_attribute("data-room-state", "RUNNING")
    expect(watcher.get_by_text("You are watching this game.")).to_be_visible()
    expect(watcher.locator(".cm-content")).to_have_count(0)
    expect(watcher.locator(".clock")).to_be_visible()

    # Alice solves first: everyone sees the first-solve notice and the standings move.
    set_query(host, CUSTOMERS_SQL)
    host.get_by_role("button", name="Submit").click()
    expect(host.locator(".attempt")).to_have_attribute("data-status", "COMPLETED")
    for page in (guest, watcher):
        expect(page.locator(".feed")).to_contain_text("Alice Ace solved")
        expect(standings_row(page, "Alice Ace").locator("td.total")).to_have_text("100")
    expect(standings_row(watcher, "Bob Bold").locator("td.total")).to_have_text("0")

    # The host announces; players and the spectator get it.
    host.get_by_label("Announcement").fill("One minute of glory left!")
    host.get_by_role("button", name="Announce").click()
    for page in (guest, watcher):
        expect(page.locator(".feed")).to_contain_text("One minute of glory left!")
    screenshot(guest, "room-running.png")

    # Bob solves too: everyone has solved everything, so the duel ends at once.
    set_query(guest, CUSTOMERS_SQL)
    guest.keyboard.press("Control+Enter")
    for page in (host, guest, watcher):
        expect(room_state(page)).to_have_attribute("data-room-state", "FINISHED")
        expect(page.locator(".results")).to_contain_text("Winner: Alice Ace")
        expect(standings_row(page, "Bob Bold").locator("td.total")).to_have_text("100")
    expect(host.locator(".results")).to_contain_text("that's you")
    screenshot(host, "room-results.png")

    # Rematch: Alice opens a new lobby; Bob is invited and keeps a seat there.
    old_url = host.url
    host.get_by_role("button", name="Rematch").click()
    expect(host).not_to_have_url(old_url)
    expect(room_state(host)).to_have_attribute("data-room-state", "LOBBY")
    guest.get_by_role("button", name="Join the rematch").click()
    expect(room_state(guest)).to_have_attribute("data-room-state", "LOBBY")
    expect(guest.locator(".seat").filter(has_text="Bob Bold (you)")).to_be_visible()
    assert guest.url == host.url


def test_reload_mid_game_restores_the_room(server, new_page, player):
    alice, bob = player("Hana Host"), player("Rick Reload")
    ids = demo_challenge_ids(alice)
    created = alice.call("POST", "/rooms", json={"name": "Reload duel", "challenge_ids": [ids[CUSTOMERS], ids[SECOND]],
                                                 "duration_s": 300, "max_players": 2})
    assert created.status_code == 201, created.text
    room = created.json()["data"]
    assert bob.call("POST", "/rooms/join", json={"code": room["code"]}).status_code == 200
    host, guest = new_page(), new_page()
    sign_in(host, server, alice, f"/rooms/{room['id']}")
    sign_in(guest, server, bob, f"/rooms/{room['id']}")
    expect(guest.locator(".seat").filter(has_text="Rick Reload (you)")).to_be_visible()
    host.get_by_role("button", name="Start the game").click()
    expect(room_state(guest)).to_have_attribute("data-room-state", "RUNNING")

    # Rick solves the first challenge, leaves a draft on the second, then reloads.
    set_query(guest, CUSTOMERS_SQL)
    guest.get_by_role("button", name="Submit").click()
    expect(standings_row(guest, "Rick Reload").locator("td.total")).to_have_text("100")
    guest.get_by_role("tab", name=re.compile(SECOND)).click()
    set_query(guest, "SELECT MAX(salary) FROM employees", within=guest.locator(".tab-panel:visible"))
    clock_before = guest.locator(".clock strong").inner_text()

    guest.reload()
    expect(room_state(guest)).to_have_attribute("data-room-state", "RUNNING")
    assert f"#/rooms/{room['id']}" in guest.url
    expect(guest.get_by_text("You are playing")).to_be_visible()
    expect(guest.locator(".clock")).to_contain_text(re.compile(r"Time left \d+:\d\d"))
    assert guest.locator(".clock strong").inner_text() <= clock_before  # the server's clock, not a restart
    expect(standings_row(guest, "Rick Reload").locator("td.total")).to_have_text("100")
    expect(guest.get_by_role("tab", name=re.compile(CUSTOMERS))).to_contain_text("100")
    guest.get_by_role("tab", name=re.compile(SECOND)).click()
    expect(guest.locator(".tab-panel:visible .cm-content")).to_contain_text("SELECT MAX(salary) FROM employees")
    # Same seat: the host sees Rick connected again, still in the duel.
    expect(standings_row(host, "Rick Reload").locator("td.total")).to_have_text("100")
    expect(host.locator("table.standings")).not_to_contain_text("disconnected")

    # The host ends the game early; both get the results.
    host.once("dialog", lambda dialog: dialog.accept())
    host.get_by_role("button", name="End the game now").click()
    for page in (host, guest):
        expect(room_state(page)).to_have_attribute("data-room-state", "FINISHED")
        expect(page.locator(".results")).to_contain_text("Winner: Rick Reload")


def test_host_kicks_a_player_in_the_lobby(server, new_page, player):
    alice, bob = player("Kim Kicker"), player("Ned Nuisance")
    ids = demo_challenge_ids(alice)
    room = alice.call("POST", "/rooms", json={"name": "Kick test", "challenge_ids": [ids[CUSTOMERS]],
                                              "duration_s": 60}).json()["data"]
    bob.call("POST", "/rooms/join", json={"code": room["code"]})
    host, guest = new_page(), new_page()
    sign_in(host, server, alice, f"/rooms/{room['id']}")
    sign_in(guest, server, bob, f"/rooms/{room['id']}")
    expect(guest.locator(".seat").filter(has_text="Ned Nuisance (you)")).to_be_visible()
    host.get_by_role("button", name="Kick Ned Nuisance").click()
    expect(guest.get_by_text("The host removed you from that room.")).to_be_visible()
    expect(guest.get_by_role("heading", name="Rooms")).to_be_visible()
    expect(host.locator(".seat").filter(has_text="Ned Nuisance")).to_have_count(0)


def test_instructor_hosts_a_frozen_tournament_without_playing(server, new_page, player):
    admin = ApiClient(server).login(*ADMIN)
    made = admin.call("POST", "/admin/users", json={"email": "ines.host@web.test", "full_name": "Ines Host",
                                                    "password": PASSWORD, "role": "instructor"})
    assert made.status_code == 201, made.text
    instructor = ApiClient(server).login("ines.host@web.test", PASSWORD)
    pat, quinn = player("Pat Player"), player("Quinn Quick")
    host, first, second = new_page(), new_page(), new_page()

    sign_in(host, server, instructor, "/rooms")
    expect(host.get_by_role("heading", name="Create a duel or tournament")).to_be_visible()
    host.get_by_label("Room name").fill("Course tournament")
    for box in host.locator(".challenge-picks input:checked").all():
        box.uncheck()
    host.get_by_label(CUSTOMERS).check()
    host.get_by_label("Players (2 = duel)").fill("10")
    host.get_by_label("Duration (minutes)").fill("2")
    host.get_by_label("Freeze standings for the last (seconds)").fill("118")
    host.get_by_label("I play too").uncheck()
    host.get_by_role("button", name="Create room").click()
    expect(room_state(host)).to_have_attribute("data-room-state", "LOBBY")
    expect(host.get_by_text("You are hosting")).to_be_visible()
    code = host.locator(".join-code").inner_text().strip()
    for page, client in ((first, pat), (second, quinn)):
        sign_in(page, server, client)
        join_by_code(page, code)
        expect(room_state(page)).to_have_attribute("data-room-state", "LOBBY")
    host.get_by_label("Announcement").fill("Welcome, good luck")
    host.get_by_role("button", name="Announce").click()
    expect(first.locator(".feed")).to_contain_text("Welcome, good luck")
    host.get_by_role("button", name="Start the game").click()
    for page in (host, first, second):
        expect(room_state(page)).to_have_attribute("data-room-state", "RUNNING")
    expect(host.locator(".cm-content")).to_have_count(0)           # the host does not play
    expect(first.get_by_text("Standings are frozen until the end.")).to_be_visible()

    set_query(first, CUSTOMERS_SQL)
    first.get_by_role("button", name="Submit").click()
    expect(first.locator(".attempt [data-verdict]").first).to_have_attribute("data-verdict", "ACCEPTED")
    # The host sees the live standings; the other player still sees the frozen ones.
    expect(host.get_by_text("Standings are frozen for players; you see them live.")).to_be_visible()
    expect(standings_row(host, "Pat Player").locator("td.total")).to_have_text("100")
    expect(standings_row(second, "Pat Player").locator("td.total")).to_have_text("0")

    host.once("dialog", lambda dialog: dialog.accept())
    host.get_by_role("button", name="End the game now").click()
    for page in (host, first, second):
        expect(page.locator(".results")).to_contain_text("Winner: Pat Player")
        expect(standings_row(page, "Pat Player").locator("td.total")).to_have_text("100")
