"""Flask commands: create-admin, seed-demo, import-challenges, export-challenges, judge-worker."""
from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Optional

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from app.errors import ApiError
from app.extensions import db
from app.extensions import judging as judging_extension
from app.models import User
from app.services import live, problem_sets, seed
from app.services import fields as f
from app.services import users as user_service

log = logging.getLogger("sqlarena.cli")


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(import_challenges)
    app.cli.add_command(export_challenges)
    app.cli.add_command(judge_worker)


@click.command("create-admin")
@click.option("--email", required=True, help="the admin's e-mail")
@click.option("--full-name", default="Administrator", show_default=True)
@click.option("--password", default=None, help="omit to generate one (printed once)")
def create_admin(email: str, full_name: str, password: str | None) -> None:
    """Creates an admin account (non-interactive)."""
    try:
        address = f.email({"email": email})
        user, generated = user_service.ensure_user(address, full_name, password, "admin")
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    if user.role != "admin":
        raise click.ClickException(f"{address} already exists with role {user.role}")
    click.echo(f"admin {user.email} (id {user.id}) ready")
    if generated:
        click.echo(f"generated password (shown once): {generated}")


@click.command("seed-demo")
@click.argument("problem_set", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def seed_demo(problem_set: Optional[Path]) -> None:
    """Loads the demo challenges, or those of a problem-set FILE (JSON or YAML); ones already there are kept."""
    try:
        if problem_set is None:
            click.echo(f"demo challenges added: {seed.seed_demo()}")
        else:
            document = problem_sets.parse_document(problem_set.read_bytes())
            click.echo(f"challenges added from {problem_set.name}: {seed.seed_problem_set(document)}")
    except ApiError as exc:
        raise click.ClickException(_describe(exc)) from None


@click.command("import-challenges")
@click.argument("problem_set", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_email", default=None, help="the importing instructor or admin (default: the first admin)")
@click.option("--dry-run", is_flag=True, help="validate every challenge, store nothing")
@with_appcontext
def import_challenges(problem_set: Path, as_email: Optional[str], dry_run: bool) -> None:
    """Imports a problem set (SPEC 9.2): all challenges or none."""
    user = _acting_user(as_email)
    try:
        document = problem_sets.parse_document(problem_set.read_bytes())
        total = len(document["challenges"])
        with tqdm(total=total, unit="challenge", desc="validating", file=sys.stderr,
                  disable=not sys.stderr.isatty()) as bar:
            report = problem_sets.import_set(user, document, dry_run=dry_run,
                                             progress=lambda _i, name: (bar.set_postfix_str(name[:40]), bar.update()))
    except ApiError as exc:
        raise click.ClickException(_describe(exc)) from None
    if dry_run:
        click.echo(f"{problem_set.name}: {report.validated} of {total} challenges valid (dry run, nothing stored)")
    else:
        click.echo(f"{problem_set.name}: {len(report.created)} challenges imported, ids "
                   f"{', '.join(map(str, report.created))}")


@click.command("export-challenges")
@click.option("--ids", default=None, help="comma-separated challenge ids (default: all the user may edit)")
@click.option("--created-by", type=int, default=None, help="only this creator's challenges")
@click.option("--name", default=None, help="the problem set's name")
@click.option("--as", "as_email", default=None, help="export as this user (default: the first admin)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="file to write (.json for JSON, YAML otherwise); default standard output as YAML")
@with_appcontext
def export_challenges(ids: Optional[str], created_by: Optional[int], name: Optional[str], as_email: Optional[str],
                      output: Optional[Path]) -> None:
    """Exports challenges as a problem set."""
    user = _acting_user(as_email)
    try:
        id_list = [int(part) for part in ids.split(",") if part.strip()] if ids else None
    except ValueError:
        raise click.BadParameter("must be comma-separated integers", param_hint="--ids") from None
    try:
        document = problem_sets.export_set(user, ids=id_list, created_by=created_by, name=name)
    except ApiError as exc:
        raise click.ClickException(exc.message) from None
    text = problem_sets.to_json(document) if output and output.suffix == ".json" else problem_sets.to_yaml(document)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(document['challenges'])} challenges written to {output}", err=True)


def _acting_user(email: Optional[str]) -> User:
    query = db.select(User).where(User.email == email.strip().lower()) if email else \
        db.select(User).where(User.role == "admin").order_by(User.id)
    user = db.session.execute(query.limit(1)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no user {email}" if email else "no admin exists yet (flask create-admin)")
    return user


def _describe(exc: ApiError) -> str:
    lines = [exc.message] + [f"  #{e['index']} {e.get('name') or ''}: {e['message']}"
                             for e in exc.details.get("errors", [])]
    return "\n".join(lines)


@click.command("judge-worker")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="judge threads (default JUDGE_THREADS)")
@click.option("--record/--no-record", default=False,
              help="also record completions here (when no web process consumes them)")
def judge_worker(threads: int | None, record: bool) -> None:
    """Runs a judge process: N threads, each a member of the judge consumer group."""
    judging = judging_extension.of(current_app)
    queue_url = current_app.config["SOCKETIO_MESSAGE_QUEUE"]
    if queue_url:   # live events reach the web processes' sockets through the queue
        live.use_write_only_emitter(queue_url)
    count = threads or current_app.config["JUDGE_THREADS"] or 1
    stop = judging.stop_event
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    judging.start(judge_threads=count, recorder=record, sweeper=False)
    log.info("judge worker started threads=%s transport=%s", count, judging.transport.name)
    while not stop.wait(1.0):
        pass
    judging.transport.close()
    log.info("judge worker stopped")
