"""behave hooks. In your environment.py: `from eximunit_bdd.environment import *`.

With hooks of your own, call these from them::

    from eximunit_bdd import environment as eximunit

    def before_scenario(context, scenario):
        eximunit.before_scenario(context, scenario)
        ...

The hooks live in `eximunit_bdd.bdd.hooks`; this module is the documented name.
"""

from .bdd.hooks import after_all, after_scenario, before_all, before_scenario
from .bdd.run import TRANSCRIPTS_HEADING

__all__ = ["before_all", "before_scenario", "after_scenario", "after_all", "TRANSCRIPTS_HEADING"]
