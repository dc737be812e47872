"""Every eximunit-bdd step. In a steps file: `from eximunit_bdd.steps import *`.

Importing registers the steps with behave; nothing is added to your namespace.
"""

from . import configuration, decisions, dns, inspection, peers, replies, routing, smtp  # noqa: F401 - imported to register

__all__: list[str] = []
