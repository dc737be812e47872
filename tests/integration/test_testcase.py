"""EximTestCase under unittest's own runner: passes, failures, cleanup."""

from __future__ import annotations

import io
import unittest

from eximunit_bdd import EximTestCase

from ..conftest import EXAMPLE_CONFIG


def _run(case: type[unittest.TestCase]) -> unittest.TestResult:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    return unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)


def test_policy_tests_pass_fail_and_clean_up(private_tmp):
    sessions = []

    class CoopPolicy(EximTestCase):
        exim_config = EXAMPLE_CONFIG

        def new_session(self, client_ip="127.0.0.1", **connection):
            session = super().new_session(client_ip, **connection)
            sessions.append(session)
            return session

        def test_no_open_relay(self):
            self.new_session("192.0.2.1").mail_from("a@example.net").assert_rcpt_to_rejected(
                "x@other.example", 550, "relay not permitted"
            )

        def test_office_relays(self):
            self.new_session("198.51.100.7").mail_from("anna@coop.test").rcpt_to(
                "x@other.example"
            ).random_data()

        def test_false_claim(self):
            self.new_session("192.0.2.1").mail_from("a@example.net").assert_rcpt_to_rejected("anna@coop.test")

    result = _run(CoopPolicy)
    assert result.testsRun == 3 and not result.errors
    assert [test.id().rsplit(".", 1)[-1] for test, _ in result.failures] == ["test_false_claim"]
    assert "Expected RCPT TO:<anna@coop.test> to be rejected" in result.failures[0][1]
    assert len(sessions) == 3 and not any(session.is_open for session in sessions)


def test_options_come_from_class_attributes():
    class Options(EximTestCase):
        exim_config = EXAMPLE_CONFIG
        exim_macros = {"HUB_PORT": "2525"}
        exim_callouts = False
        exim_timeout = 3.0

        def runTest(self):
            pass

    options = Options().exim_options()
    assert (options.config, dict(options.macros), options.callouts, options.timeout) == (
        EXAMPLE_CONFIG,
        {"HUB_PORT": "2525"},
        False,
        3.0,
    )
