"""The web app: Dutch server-rendered screens, a JSON API and its own assets (see docs/web.md)."""
