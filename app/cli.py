"""Flask commands: create-admin, seed-demo, judge-worker."""
from __future__ import annotations

import logging
import signal

import click
from flask import Flask, current_app

from app.errors import ApiError
from app.services import seed
from app.services import fields as f
from app.services import users as user_service

log = logging.getLogger("sqlarena.cli")


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
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
def seed_demo() -> None:
    """Loads the demo challenges (those missing)."""
    click.echo(f"demo challenges added: {seed.seed_demo()}")


@click.command("judge-worker")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="judge threads (default JUDGE_THREADS)")
@click.option("--record/--no-record", default=False,
              help="also record completions here (when no web process consumes them)")
def judge_worker(threads: int | None, record: bool) -> None:
    """Runs a judge process: N threads, each a member of the judge consumer group."""
    judging = current_app.extensions["sqlarena.judging"]
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
