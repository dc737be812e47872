from eximunit_bdd.steps import *  # noqa: F401,F403 - registers eximunit's steps
