"""Every limit on what a client may send, in one table (SPEC 8 and 9), read by routes, services and the judge.

Plain Python with no Flask, so the judge can read it too. A limit a deployment may tune lives in
app/config.py instead (quotas, rates, byte budgets); these are part of the contract.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputLimits:
    name_chars: int = 200                    # challenge and room names
    description_chars: int = 20_000
    sql_data_chars: int = 5 * 1024 * 1024    # a challenge's init, and each test case's data
    query_chars: int = 100_000               # a solution, an attempt's query, a Run query (the gate's limit)
    test_cases: int = 100
    time_limit_ms: int = 10_000
    tags: int = 10
    tag_chars: int = 40
    hints: int = 20
    hint_chars: int = 2_000
    explanation_chars: int = 20_000
    search_chars: int = 200
    password_chars: int = 1024
    room_challenges: int = 20
    tournament_players: int = 200
    problem_set_challenges: int = 500
    problem_set_bytes: int = 50 * 1024 * 1024
    page_size: int = 100
    json_depth: int = 64
    result_value_chars: int = 1000           # every stored or returned result value (SPEC 9.7)


LIMITS = InputLimits()
