"""behave runs: the example suite passes; false claims fail readably; misuse errors clearly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

SPECS = Path(__file__).resolve().parent.parent / "specs"


def run_behave(*args: str) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color", "-f", "plain", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return run.returncode, run.stdout + run.stderr


def scenarios(output: str) -> dict[str, str]:
    """Each scenario's name with the text behave printed for it."""
    parts = re.split(r"^\s*Scenario: ", output, flags=re.M)[1:]
    return {part.splitlines()[0].split("  #")[0].strip(): part for part in parts}


def test_the_example_policy_suite_passes():
    code, output = run_behave("features/")
    assert code == 0, output
    summary = re.search(r"^(\d+) scenarios passed, 0 failed, 0 skipped$", output, re.M)
    assert summary and int(summary.group(1)) >= 30, output
    assert re.search(r"^\d+ steps passed, 0 failed, 0 skipped$", output, re.M), output


EXPECTED_FAILURES = {
    "claims a rejection for an accepted recipient": [
        "Expected RCPT TO:<anna@coop.test> to be rejected with 550.",
        "The server replied:\n      250 Accepted",
        "C: RCPT TO:<anna@coop.test>\n      S: 250 Accepted",
    ],
    "claims the wrong code": ["to be rejected with 551", "550 5.1.1 <nobody@coop.test>: no such user here"],
    "claims the wrong text": ['rejected with 550 "mailbox full"', "Exim logged:"],
    "claims acceptance for a deferred recipient": ["to be accepted", "451 choir.test is moving"],
    "claims a blocked host is greeted": [
        "Expected the connection to be accepted",
        "550 Your host 203.0.113.66",
    ],
    "talks after the connection was refused": [
        "Cannot send EHLO client.example: the server had already closed the connection after replying 550"
    ],
    "claims a header that is not added": [
        'Expected the ACLs to add the header "X-Spam-Flag"',
        "X-Coop-Checked: by mx.coop.test for [192.0.2.1]",
    ],
    "claims a header value": ['"X-Coop-Checked" containing "198.51.100.99"'],
    "claims a log line": ['Expected the log to contain "delivered"', "Exim logged:\n      (nothing)"],
    "claims a wrong row in a table": [
        "1 of 2 recipients got another reply than expected",
        "nobody@coop.test  250       550 5.1.1 <nobody@coop.test>: no such user here",
    ],
    "claims the reply contains other words": [
        'answered containing "welcome"',
        "550 You are not mx.coop.test",
    ],
    "claims the wrong exact code": ["to be answered 354", "250 OK"],
    "claims a blocked sender is accepted": ["Expected MAIL FROM:<bulk@offers.example> to be accepted"],
}


EXPECTED_PEER_FAILURES = {
    "claims an unknown hub mailbox is accepted": [
        "Expected RCPT TO:<nobody@shop.test> to be accepted",
        "550 5.1.1 <nobody@shop.test>: no such user here",
    ],
    "claims a hub mailbox is refused": [
        "Expected RCPT TO:<bob@shop.test> to be rejected with 550",
        "250 Accepted",
    ],
    "claims the hub was not asked": [
        'Expected the fake SMTP server "hub" not to be asked about <bob@shop.test>. It was asked:',
        "MAIL FROM <>: accepted ['bob@shop.test'], refused []",
    ],
    "claims the hub was asked about a local domain": [
        'Expected the fake SMTP server "hub" to be asked about <anna@coop.test>',
        "(nothing: no MAIL FROM reached it)",
    ],
    "claims a down hub refuses for good": ["451 Could not complete recipient verify callout"],
    "claims spam reaches the bakery": [
        "Expected the message to be accepted",
        "550 This message scored 15.0 spam points and was refused",
    ],
    "claims spam is refused for a member who filters at home": [
        "Expected the message to be rejected with 550",
        "250 OK id=",
    ],
    "claims a virus reaches the bookshop": [
        "Expected the message to be accepted",
        "550 This message contains a virus (Eicar-Test-Signature) and was refused",
    ],
    "claims a virus is refused for a member who filters at home": [
        "Expected the message to be rejected",
        "250 OK id=",
    ],
    "claims a first attempt to the bookshop is accepted": ["451 Greylisted: please try again later"],
    "claims the retry is deferred again": [
        "Expected RCPT TO:<dora@bookshop.test> to be deferred with 451",
        "250 Accepted",
    ],
    "claims the bakery's mail is accepted while spamd is down": [
        "Expected the message to be accepted",
        "451 Temporary local problem",
    ],
}


#: Each file of false claims, with what each of its scenarios must say when it fails.
FALSE_CLAIMS = {
    "wrong_claims.feature": EXPECTED_FAILURES,
    "wrong_peer_claims.feature": EXPECTED_PEER_FAILURES,
}


@pytest.fixture(scope="module")
def false_claim_runs() -> dict[str, tuple[int, str]]:
    return {feature: run_behave(str(SPECS / feature)) for feature in FALSE_CLAIMS}


@pytest.mark.parametrize("feature", sorted(FALSE_CLAIMS))
def test_every_false_claim_fails(false_claim_runs, feature):
    code, output = false_claim_runs[feature]
    assert code == 1
    assert f"0 scenarios passed, {len(FALSE_CLAIMS[feature])} failed, 0 skipped" in output, output


@pytest.mark.parametrize(
    "feature, name", [(feature, name) for feature, claims in FALSE_CLAIMS.items() for name in sorted(claims)]
)
def test_a_false_claim_says_what_was_expected_and_what_happened(false_claim_runs, feature, name):
    text = scenarios(false_claim_runs[feature][1])[name]
    assert "Assertion Failed: " in text or "ASSERT FAILED: " in text, text
    flat = " ".join(text.split())  # formatters differ in indentation only
    for expected in FALSE_CLAIMS[feature][name]:
        assert " ".join(expected.split()) in flat, f"{expected!r} not in:\n{text}"
    assert "Traceback" not in text


EXPECTED_ERRORS = {
    "names a configuration that does not exist": "EximConfigError: Exim configuration /",
    "talks before connecting": "StepUsageError: No connection yet: begin the scenario",
    "connects from something that is no IP address": (
        "InvalidInputError: client IP 'mail.example.net' is not an IP"
    ),
    "a table without its columns": (
        "StepUsageError: this step needs a table with the columns 'address', 'reply'"
    ),
    "asks a fake server that was never declared": (
        'StepUsageError: there is no fake SMTP server "hub" in this scenario'
    ),
    "gives a fake peer a name that cannot be a macro": (
        "InvalidInputError: fake peer name 'the hub' is not usable"
    ),
    "declares a fake peer after the session started": (
        'StepUsageError: the fake SMTP server "hub" came after the session had started'
    ),
    "passes more macros than Exim takes": (
        "InvalidInputError: Exim takes at most 10 -D macros and this session has 11"
    ),
}


def test_specs_that_cannot_run_end_in_a_short_clear_error():
    code, output = run_behave(str(SPECS / "usage_errors.feature"))
    assert code == 1
    assert f"0 scenarios passed, 0 failed, {len(EXPECTED_ERRORS)} error" in output, output
    found = scenarios(output)
    for name, message in EXPECTED_ERRORS.items():
        assert message in found[name], found[name]
        # Only behave's frames and the step's: none of eximunit's internals.
        assert "eximunit_bdd/session.py" not in found[name] and "scenario.py" not in found[name]
