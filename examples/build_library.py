"""Builds examples/library.yaml from the draft in examples/library/.

The draft keeps each thing once: the schema (schema.sql), the visible and hidden datasets
(visible.sql, hidden.sql) and the challenges' texts and solutions (problems.yaml). This script
gives every challenge the schema and both datasets (in a schema `lib` of their own for the
PostgreSQL ones), imports the set into a throwaway server, which checks every challenge on its
engine, and writes that server's export. Committing the exporter's own output is what makes
import → export give the file back byte for byte.

    SANDBOX_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python examples/build_library.py
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

DRAFT = ROOT / "library"
OUTPUT = ROOT / "library.yaml"
PG_SCHEMA = "lib"


def qualify(sql: str, schema: str = PG_SCHEMA) -> str:
    """Puts the draft's tables in `schema`: CREATE TABLE, REFERENCES and INSERT INTO name them there."""
    return re.sub(r"\b(CREATE TABLE|REFERENCES|INSERT INTO) (\w+)", rf"\1 {schema}.\2", sql)


def draft_document() -> dict:
    problems = yaml.safe_load((DRAFT / "problems.yaml").read_text(encoding="utf-8"))
    schema, visible, hidden = ((DRAFT / name).read_text(encoding="utf-8")
                               for name in ("schema.sql", "visible.sql", "hidden.sql"))
    challenges = []
    for problem in problems["challenges"]:
        on_pg = problem.get("engine") == "postgresql"
        adapt = qualify if on_pg else (lambda sql: sql)
        challenges.append({
            **problem,
            "init": (f"CREATE SCHEMA {PG_SCHEMA};\n" if on_pg else "") + adapt(schema),
            "test_cases": [{"data": adapt(visible), "is_visible": True},
                           {"data": adapt(hidden), "is_visible": False}],
        })
    return {"format": "sqlarena-problem-set/1", "name": problems["name"], "challenges": challenges}


def import_and_export(document: dict) -> str:
    """The YAML a server exports after importing `document` (every challenge validated on its engine)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.services import problem_sets
    from app.services import users as user_service

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({
            "INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/app.db",
            "SEED_DEMO": False, "LOG_LEVEL": "WARNING",
            "SANDBOX_DATABASE_URL": os.environ.get("SANDBOX_DATABASE_URL", ""),
        })
        with app.app_context():
            upgrade()
            author, _ = user_service.ensure_user("examples@sqlarena.local", "Examples", None, "instructor")
            report = problem_sets.import_set(author, document)
            exported = problem_sets.export_set(author, ids=report.created, name=document["name"])
            return problem_sets.to_yaml(exported)


def main() -> None:
    text = import_and_export(draft_document())
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT.parent)}: {text.count(chr(10))} lines")


if __name__ == "__main__":
    main()
