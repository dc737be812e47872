"""behave glue: settings from userdata, the state of a run and of a scenario, the
fixtures and hooks. Steps live in `eximunit_bdd.steps`."""
