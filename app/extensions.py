"""Extensions created unbound; `create_app` binds them (no I/O at import time)."""
from flask import Flask, current_app
from flask_jwt_extended import JWTManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = JWTManager()
socketio = SocketIO()


class Judging:
    """The judging service (app/services/judging.py), created unbound like the others: `init_app`
    builds each app's JudgingService; attributes are those of the current app's service."""

    KEY = "sqlarena.judging"

    def init_app(self, app: Flask) -> None:
        from app.services.judging import JudgingService   # imports the judge: not at import time
        app.extensions[self.KEY] = JudgingService(app)

    def of(self, app: Flask):
        """The JudgingService of `app` (outside an app context: startup, the CLI, tests)."""
        return app.extensions[self.KEY]

    def __getattr__(self, name: str):
        return getattr(current_app.extensions[self.KEY], name)


judging = Judging()
