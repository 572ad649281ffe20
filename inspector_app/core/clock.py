"""The app's only clock, so tests can pin the date (the edge of the world)."""

from datetime import date, datetime


def today() -> date:
    return date.today()


def now() -> datetime:
    return datetime.now()
