from eximunit_bdd.environment import *  # noqa: F401,F403 - eximunit's behave hooks
