"""Exim's one-shot modes, one module each (routing and verification, expansion,
options, the build), run by `run.run_exim`; `config.EximConfig` is their facade."""
