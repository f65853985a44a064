"""The shipped problem set examples/library.yaml, through HTTP and the flask commands.

It must import as it is, export back byte for byte, have reference solutions the judge accepts,
and hidden cases that catch the classic wrong answer to each challenge (listed below).
"""
import io
from pathlib import Path
from urllib.parse import quote

import yaml

LIBRARY = Path(__file__).resolve().parents[2] / "examples" / "library.yaml"

# A plausible wrong answer per challenge, and the trap its hidden case sets for it.
WRONG_QUERIES = {
    # '' is no address either
    "Members to reach by post": """
        SELECT m.name, b.name AS branch FROM members m JOIN branches b ON b.id = m.home_branch_id
        WHERE m.email IS NULL ORDER BY branch, m.name""",
    # per copy, not per book: loses books without copies, keeps books with one unused copy
    "Books nobody has borrowed": """
        SELECT b.title, b.author FROM books b JOIN copies c ON c.book_id = b.id
        LEFT JOIN loans l ON l.copy_id = c.id WHERE l.id IS NULL ORDER BY b.title""",
    # integer division
    "Share of loans by genre": """
        SELECT COALESCE(b.genre, 'Uncatalogued') AS genre, COUNT(*) AS loans,
               ROUND(100 * COUNT(*) / (SELECT COUNT(*) FROM loans), 1) AS share
        FROM loans l JOIN copies c ON c.id = l.copy_id JOIN books b ON b.id = c.book_id
        GROUP BY 1 ORDER BY loans DESC, genre""",
    # the year filter in WHERE drops the branch that lent nothing in 2025
    "Loans per branch in 2025": """
        SELECT br.name AS branch, COUNT(l.id) AS loans FROM branches br
        LEFT JOIN copies c ON c.branch_id = br.id LEFT JOIN loans l ON l.copy_id = c.id
        WHERE l.loaned_on BETWEEN '2025-01-01' AND '2025-12-31'
        GROUP BY br.id, br.name ORDER BY loans DESC, branch""",
    # a loan due today is not overdue yet
    "Overdue on the last day of March": """
        SELECT m.name AS member, b.title, l.due_on,
               CAST(julianday('2026-03-31') - julianday(l.due_on) AS INTEGER) AS days_overdue
        FROM loans l JOIN members m ON m.id = l.member_id JOIN copies c ON c.id = l.copy_id
        JOIN books b ON b.id = c.book_id
        WHERE l.returned_on IS NULL AND l.due_on <= '2026-03-31' ORDER BY days_overdue DESC, member""",
    # groups by the address as stored: case variants stay apart
    "Accounts sharing an e-mail": """
        SELECT LOWER(email) AS email, COUNT(*) AS accounts, MIN(joined_on) AS first_joined
        FROM members WHERE email IS NOT NULL AND email <> ''
        GROUP BY email HAVING COUNT(*) > 1 ORDER BY 1""",
    # open loans in the denominator
    "How long books stay out": """
        SELECT COALESCE(b.genre, 'Uncatalogued') AS genre,
               ROUND(SUM(julianday(l.returned_on) - julianday(l.loaned_on)) / COUNT(*), 1) AS avg_days
        FROM loans l JOIN copies c ON c.id = l.copy_id JOIN books b ON b.id = c.book_id
        GROUP BY 1 ORDER BY avg_days DESC, genre""",
    # joins the loan history: one row per past loan
    "Copies on the shelf": """
        SELECT b.title, COUNT(c.id) AS available FROM books b
        LEFT JOIN copies c ON c.book_id = b.id AND c.withdrawn_on IS NULL
        LEFT JOIN loans l ON l.copy_id = c.id
        WHERE l.id IS NULL OR l.returned_on IS NOT NULL
        GROUP BY b.id, b.title ORDER BY b.title""",
    # forgets copies still out past their due date
    "Members who always return on time": """
        SELECT DISTINCT m.id, m.name FROM members m JOIN loans l ON l.member_id = m.id
        WHERE m.id NOT IN (SELECT member_id FROM loans WHERE returned_on > due_on) ORDER BY m.id""",
    # ROW_NUMBER keeps one of two tied books
    "Most borrowed book of each genre": """
        SELECT genre, title, loans FROM (
          SELECT b.genre, b.title, COUNT(*) AS loans,
                 ROW_NUMBER() OVER (PARTITION BY b.genre ORDER BY COUNT(*) DESC) AS place
          FROM loans l JOIN copies c ON c.id = l.copy_id JOIN books b ON b.id = c.book_id
          WHERE b.genre IS NOT NULL GROUP BY b.id, b.genre, b.title)
        WHERE place = 1 ORDER BY genre, title""",
    # counts loans, not branches
    "Members who used every branch": """
        SELECT m.id, m.name FROM members m JOIN loans l ON l.member_id = m.id
        JOIN copies c ON c.id = l.copy_id GROUP BY m.id, m.name
        HAVING COUNT(*) = (SELECT COUNT(*) FROM branches) ORDER BY m.id""",
    # members who joined the same day should count each other
    "Branch membership growth": """
        SELECT b.name AS branch, m.joined_on, m.name,
               ROW_NUMBER() OVER (PARTITION BY m.home_branch_id ORDER BY m.joined_on, m.name) AS members_so_far
        FROM members m JOIN branches b ON b.id = m.home_branch_id
        ORDER BY branch, m.joined_on, m.name""",
    # only the weeks that have loans
    "Loans per week this spring (PostgreSQL)": """
        SELECT date_trunc('week', loaned_on)::date AS week_start, COUNT(*) AS loans
        FROM lib.loans WHERE loaned_on BETWEEN DATE '2026-01-05' AND DATE '2026-04-05'
        GROUP BY 1 ORDER BY 1""",
    # LAG without PARTITION BY looks back at another copy
    "Longest time on the shelf (PostgreSQL)": """
        WITH ordered AS (
          SELECT l.copy_id, l.loaned_on,
                 LAG(l.returned_on) OVER (ORDER BY l.copy_id, l.loaned_on) AS previous_return
          FROM lib.loans l)
        SELECT o.copy_id, b.title, MAX(o.loaned_on - o.previous_return) AS longest_gap_days
        FROM ordered o JOIN lib.copies c ON c.id = o.copy_id JOIN lib.books b ON b.id = c.book_id
        WHERE o.previous_return IS NOT NULL GROUP BY o.copy_id, b.title
        ORDER BY longest_gap_days DESC, o.copy_id""",
}


def library() -> dict:
    return yaml.safe_load(LIBRARY.read_bytes())


def import_library(client, instructor) -> dict:
    """Uploads the file as it is shipped; returns {challenge name: id}."""
    response = client.post("/api/challenges/import", headers=instructor["headers"],
                           data={"file": (io.BytesIO(LIBRARY.read_bytes()), LIBRARY.name)},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    names = [c["name"] for c in library()["challenges"]]
    created = response.get_json()["data"]["created"]
    assert len(created) == len(names)
    return dict(zip(names, created))


def judge_all(client, player, wait_judged, queries: dict) -> dict:
    """Submits {challenge id: query} at once, then waits for each: {challenge id: judged attempt}."""
    submitted = {}
    for challenge_id, query in queries.items():
        response = client.post("/api/attempts", json={"challenge_id": challenge_id, "query": query},
                               headers=player["headers"])
        assert response.status_code == 202, response.get_json()
        submitted[challenge_id] = response.get_json()["data"]["id"]
    return {cid: wait_judged(attempt_id, player["headers"]) for cid, attempt_id in submitted.items()}


def test_the_set_is_the_one_the_brief_describes():
    challenges = library()["challenges"]
    engines = [c["engine"] for c in challenges]
    assert engines.count("sqlite") >= 12 and engines.count("postgresql") >= 2
    assert {c["difficulty"] for c in challenges} == {"easy", "medium", "hard"}
    assert {c["type"] for c in challenges} == {"FE", "LE"}
    for challenge in challenges:
        assert challenge["tags"] and 1 <= len(challenge["hints"]) <= 3 and challenge["explanation"]
        assert {tc["is_visible"] for tc in challenge["test_cases"]} == {True, False}
    assert set(WRONG_QUERIES) == {c["name"] for c in challenges}


def test_import_then_export_gives_the_file_back_byte_for_byte(client, make_user):
    instructor = make_user("instructor")
    ids = import_library(client, instructor)
    name = quote(library()["name"])
    exported = client.get(f"/api/challenges/export?ids={','.join(map(str, ids.values()))}&name={name}",
                          headers={**instructor["headers"], "Accept": "application/yaml"})
    assert exported.status_code == 200
    assert exported.data == LIBRARY.read_bytes()


def test_every_reference_solution_is_accepted(client, make_user, wait_judged):
    ids = import_library(client, make_user("instructor"))
    solutions = {ids[c["name"]]: c["solution"] for c in library()["challenges"]}
    judged = judge_all(client, make_user(), wait_judged, solutions)
    verdicts = {cid: (a["status"], a["verdict"]) for cid, a in judged.items()}
    assert verdicts == {cid: ("COMPLETED", "ACCEPTED") for cid in solutions}


def test_each_hidden_case_catches_a_plausible_wrong_query(client, make_user, wait_judged):
    ids = import_library(client, make_user("instructor"))
    judged = judge_all(client, make_user(), wait_judged, {ids[name]: q for name, q in WRONG_QUERIES.items()})
    hidden_verdicts = {}
    for name, challenge_id in ids.items():
        attempt = judged[challenge_id]
        assert attempt["status"] == "COMPLETED", (name, attempt)
        hidden_verdicts[name] = [case["verdict"] for case in attempt["cases"] if not case["is_visible"]]
    # WRONG_ANSWER, not an error: each query runs and returns the wrong rows
    assert hidden_verdicts == {name: ["WRONG_ANSWER"] for name in ids}


def test_seed_demo_loads_the_file(app, client, make_user):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", str(LIBRARY)])
    total = len(library()["challenges"])
    assert first.exit_code == 0 and f"challenges added from library.yaml: {total}" in first.output, first.output
    again = runner.invoke(args=["seed-demo", str(LIBRARY)])
    assert again.exit_code == 0 and "challenges added from library.yaml: 0" in again.output, again.output
    listed = client.get("/api/challenges?size=100", headers=make_user()["headers"]).get_json()["data"]
    assert sorted(c["name"] for c in listed) == sorted(c["name"] for c in library()["challenges"])
