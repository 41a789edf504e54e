"""ASGI entry for multi-worker serving: settings come from the environment (see `pandzicht serve --workers`)."""

from __future__ import annotations

from pandzicht.web.app import create_app
from pandzicht.web.config import Settings

app = create_app(Settings.from_env())
