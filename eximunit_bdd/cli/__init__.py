"""The `eximunit-bdd` command (`main`), the step catalog it prints and the starter
suite it writes."""

from .main import main

__all__ = ["main"]
