"""crosswire's REST API and web desk (`crosswire serve`): thin shells over
the same store and runner as the CLI. See docs/web.md."""
from .app import create_app, serve

__all__ = ["create_app", "serve"]
