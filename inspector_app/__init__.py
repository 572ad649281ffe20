"""现场检查 — offline field inspection for post-license supervision of industrial products."""

__version__ = "0.1.0"
APP_NAME = "inspector-app"
APP_TITLE = "现场检查"
