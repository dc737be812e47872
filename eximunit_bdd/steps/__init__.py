"""Every eximunit-bdd step. In a steps file: `from eximunit_bdd.steps import *`.

Importing registers the steps with behave; nothing is added to your namespace.
"""

from . import (  # noqa: F401 - imported to register
    configuration,
    decisions,
    dns,
    filters,
    inspection,
    live,
    peers,
    queue,
    replies,
    rewriting,
    routing,
    smtp,
)

__all__: list[str] = []
