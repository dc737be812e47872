"""behave runs: the example suite passes; false claims fail readably; misuse errors clearly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import EXAMPLE_CONFIG, ROOT

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


#: Specs whose every claim must hold, with how many scenarios each has: statement shapes
#: of real configurations, the connection steps, a spool a scenario, PRDR, every
#: scenario in the private network.
TRUE_CLAIMS = {
    "shapes.feature": 5,
    "connections.feature": 4,
    "spool.feature": 2,
    "prdr.feature": 2,
    "hermetic.feature": 2,
    "sender.feature": 3,
    "other_modes.feature": 3,
}


@pytest.mark.parametrize("feature", sorted(TRUE_CLAIMS))
def test_every_true_claim_holds(feature):
    code, output = run_behave(str(SPECS / feature))
    assert code == 0 and f"{TRUE_CLAIMS[feature]} scenarios passed, 0 failed" in output, output


def test_with_network_host_scenarios_run_on_the_machines_network():
    code, output = run_behave("-D", "network=host", str(SPECS / "hermetic.feature"))
    assert code == 1 and "0 scenarios passed, 2 failed" in output, output
    assert (
        "550 the resolver is the host one" in output
        and "to expand to 'private', but it gave 'host'" in output
    )


def test_a_network_that_is_neither_private_nor_host_is_refused():
    code, output = run_behave("-D", "network=nope", str(SPECS / "hermetic.feature"))
    assert code == 1 and "userdata network='nope': write private (the default) or host." in output, output
    assert "Traceback" not in output


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
    "claims a recipient's PRDR verdict wrongly": [
        "Expected the message to be accepted.",
        "550 refuses does not want this",
    ],
    "claims the server hung up while it is open": [
        "Expected the server to have closed the connection, but it is open after its last reply, 250"
    ],
    "claims a wrong password logs in": [
        'Expected AUTH PLAIN AGFubmFAY29vcC50ZXN0AGFwcGxl (user "anna@coop.test", password "apple") '
        "to be accepted with 235.",
        "535 Incorrect authentication data",
    ],
    "claims a right LOGIN password is refused": [
        'Expected c291cmRvdWdo (AUTH LOGIN password "sourdough" for "bea@bakery.test") '
        "to be rejected with 535.",
        'C: YmVhQGJha2VyeS50ZXN0 (AUTH LOGIN user "bea@bakery.test")',
        "235 Authentication succeeded",
    ],
    "claims the server offers a mechanism it does not": [
        'Expected the server to offer "AUTH CRAM-MD5"; its EHLO reply offers: SIZE 20971520, 8BITMIME,',
        "AUTH PLAIN LOGIN",
    ],
    "claims the server does not offer AUTH PLAIN": [
        'Expected the server not to offer "AUTH PLAIN"; its EHLO reply offers:',
        "AUTH PLAIN LOGIN",
    ],
}


EXPECTED_PEER_FAILURES = {
    "claims the bakery's mail is not scanned for spam": [
        'Expected the fake spam scanner "spamd" not to be asked, but it scanned 1 message:',
        "Subject: Flour delivery on Monday",
    ],
    "claims the bakery's mail is not scanned for viruses": [
        'Expected the fake virus scanner "clamd" not to be asked, but it scanned 1 message:',
        "Subject: Order 17",
    ],
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
    "claims a user Dovecot does not know logs in": [
        'Expected AUTH PLAIN AG1hbGxvcnlAY29vcC50ZXN0AG9yY2hhcmQ= (user "mallory@coop.test", '
        'password "orchard") to be accepted.',
        "535 Incorrect authentication data",
    ],
    "claims members log in while Dovecot is down": [
        "Expected AUTH LOGIN to be accepted with 235.",
        "435 Unable to authenticate at present",
    ],
}


#: The routing and inspection steps: each failure shows the command and Exim's answer.
EXPECTED_CONFIG_FAILURES = {
    "claims an unknown address is routed": [
        "Expected mail for <nobody@coop.test> to be routed, but it is undeliverable.",
        "$ exim4 -bt -- nobody@coop.test",
    ],
    "claims a mailbox goes out through the hub's transport": [
        'Expected mail for <anna@coop.test> to be routed to transport "hub_smtp", '
        "but Exim routed it otherwise.",
        "router = mailboxes, transport = mailbox",
    ],
    "claims an alias for two makes one delivery": [
        "Expected mail for <info@bakery.test> to make 1 delivery, but it makes 2.",
        "bea@bakery.test <-- info@bakery.test",
    ],
    "claims a mailbox makes two deliveries": [
        "Expected mail for <anna@coop.test> to make 2 deliveries, but it makes 1."
    ],
    "claims an option that this Exim does not have": [
        'Expected Exim to have the option "smtp_accept_maximum", but it has not.',
        "Exim has no option 'smtp_accept_maximum'",
    ],
    "claims a real option is missing": [
        'Expected Exim to have no option "message_size_limit", but it has: message_size_limit = 20M.',
        "$ exim4 -bP message_size_limit",
    ],
    "claims the wrong exact version": ["Expected Exim 4.0, but this is Exim 4."],
    "claims anyone's mail takes the route for one sender": [
        'Expected mail for <x@sender.test> to be routed by router "from_vip", but it is undeliverable.',
        "$ exim4 -bt -- x@sender.test",
    ],
    "claims an address nobody has verifies as a sender": [
        "Expected the sender <nobody@coop.test> to verify, but it did not.",
        "$ exim4 -bvs -- nobody@coop.test",
    ],
    "claims a member fails to verify as a sender": [
        "Expected the sender <anna@coop.test> to fail to verify, but it verified.",
        "anna@coop.test verified",
    ],
    "claims a mailbox is routed by the wrong router and transport": [
        'Expected mail for <anna@coop.test> to be routed by router "hubbed" to transport "hub_smtp", '
        "but Exim routed it otherwise.",
        "$ exim4 -bt -- anna@coop.test\n anna@coop.test\n router = mailboxes, transport = mailbox",
    ],
    "claims a redirect router delivers": [
        "a redirect router shows only as the <-- lines",
        "anna@coop.test <-- postmaster@coop.test router = mailboxes",
    ],
    "claims a local mailbox goes to a host": [
        "routed to host mail.shop.test, but no delivery goes to that host"
    ],
    "claims the hub listens on another port": [
        'but its port is 2525 (the port option of transport "hub_smtp")',
        "host 127.0.0.1 [127.0.0.1]",
    ],
    "claims a redirect that is not there": [
        "to be redirected to <bea@bakery.test>, but it is not.",
        "anna@coop.test <-- postmaster@coop.test <-- board@coop.test",
    ],
    "claims a real mailbox is discarded": ["to be discarded, but it is routed."],
    "claims a discarded address bounces": [
        "to be undeliverable, but it is discarded.",
        "mail to noreply@coop.test is discarded",
    ],
    "claims the wrong bounce reason": [
        'undeliverable with "mailbox full", but the reason is: has left the co-op; write to office@coop.test'
    ],
    "claims a mailbox is on hold": ["to be temporarily undeliverable, but it is routed."],
    "claims the wrong reason for the hold": [
        "treasurer@coop.test cannot be resolved at this time: the treasurer's mailbox is moving"
    ],
    "claims an unknown address verifies": [
        "Expected <nobody@coop.test> to verify, but it did not.",
        "$ exim4 -bv -- nobody@coop.test nobody@coop.test failed to verify: Unrouteable address",
    ],
    "claims a mailbox fails to verify": ["to fail to verify, but it verified.", "anna@coop.test verified"],
    "claims the wrong verification failure": ['with "has left", but the reason is: Unrouteable address'],
    "claims the wrong expansion": ["to expand to 'carl@bakery.test', but it gave 'dora@bookshop.test'."],
    "claims a good expansion fails": [
        "Expected expanding '$primary_hostname' to fail, but it gave 'mx.coop.test'."
    ],
    "claims the wrong expansion failure": ["is not a known operator", 'Failed: "${nosuchop"'],
    "claims the wrong size limit": [
        'Expected the option "message_size_limit" to be "5M", but Exim has: message_size_limit = 20M',
        "$ exim4 -bP message_size_limit",
    ],
    "claims an empty option is set": ['Expected the option "helo_lookup_domains" to be set'],
    "claims the wrong router option": [
        'Expected the option "driver" of router "hubbed" to be "accept", but Exim has: driver = manualroute',
        "$ exim4 -bP router hubbed driver = manualroute (and 52 other options)",
    ],
    "claims a router switch is on": ["to be true, but Exim has: no_unseen"],
    "claims a broken configuration is valid": [
        "Expected the configuration to be valid, but Exim rejected its configuration: main option "
        '"message_size_limt" unknown',
        "3 | message_size_limt = 20M",
    ],
    "claims a lookup this build lacks": [
        'Expected Exim to support "Oracle", but this build does not.',
        "lookups: lsearch",
    ],
    "claims a feature of the wrong kind": ['Expected Exim to support the lookup "DKIM"'],
    "claims a feature is missing": [
        'Expected Exim not to support "DKIM", but this build lists it (feature).'
    ],
    "claims a future version": ["Expected Exim 9.1 or later, but this is Exim 4."],
    "claims a mailbox is a Maildir elsewhere": [
        'Expected mail for <anna@coop.test> to be delivered to a file ending in "Maildir", but its '
        "deliveries write to:",
        'anna@coop.test via transport "mailbox": /var/mail/coop/coop.test/anna '
        "(from directory = /var/mail/coop/$address_data with $address_data=coop.test/anna)",
    ],
    "claims the wrong option of an authenticator": [
        'Expected the option "server_set_id" of authenticator "plain_server" to be "$auth1", but Exim '
        "has: server_set_id = $auth2",
        "$ exim4 -bP authenticator plain_server",
    ],
    "claims the system filter delivers the list's mail to the list": [
        "Expected the system filter to deliver the message to <old-list@coop.test>, "
        "but it delivers to nothing.",
        "$ exim4 -oi -bF ",
    ],
    "claims the system filter keeps the list's mail where it was going": [
        "Expected the system filter to let normal delivery occur, but it does not "
        "(it saves to /var/mail/coop/archive/old-list).",
    ],
    "claims the archive is elsewhere": [
        "Expected the system filter to save the message to /var/mail/archive, but it saves to "
        "/var/mail/coop/archive/old-list.",
    ],
    "claims abuse reports go to another program": [
        "Expected the system filter to pipe the message to /usr/bin/logger, but it pipes to "
        "/usr/local/bin/coop-abuse-report.",
    ],
    "claims a quiet subject is tagged": [
        'Expected the system filter to add the header "X-Coop-Shouting" with "yes", but it adds no header.',
    ],
    "claims the minutes do not go where they were sent": [
        "Expected the system filter to stop normal delivery, but normal delivery occurs.",
    ],
    "claims a program is refused with other words": [
        'Expected the system filter to fail the message with "virus", but its text is '
        '"Programs are not accepted by mail here".',
    ],
    "claims an ordinary message is frozen": [
        "Expected the system filter to freeze the message, but it does not (normal delivery occurs).",
    ],
    "claims Gina's filter discards her newsletter": [
        "Expected the Sieve filter to discard the message, but it saves to Newsletters.",
        "fileinto `Newsletters'",
    ],
    "claims Gina's filter has an error": [
        'Expected the Sieve filter to have an error containing "semicolon", but Exim ran it without one '
        "(normal delivery occurs).",
    ],
    "claims an office address is rewritten to another domain": [
        "Expected <anna@pc7.office.coop.test> to be rewritten to anna@office.coop.test in from, but it is "
        "anna@coop.test.",
        "$ exim4 -brw anna@pc7.office.coop.test",
    ],
    "claims an office address is left alone": [
        "Expected no rewriting of <anna@pc7.office.coop.test>, but sender: anna@coop.test; from: "
        "anna@coop.test; reply-to: anna@coop.test; env-from: anna@coop.test.",
    ],
    "claims the shop gets the default retry rule": [
        'Expected the retry rule for bob@shop.test to be "F,2h,15m; G,16h,1h,1.5; F,4d,6h", but it is '
        '"shop.test * F,15m,5m; F,5d,30m".',
        "Retry rule: shop.test  *  F,15m,5m; F,5d,30m;",
    ],
    "claims no retry rule applies to the shop": [
        'Expected no retry rule for bob@shop.test, but "shop.test * F,15m,5m; F,5d,30m" applies.',
    ],
    "claims the wrong subject with the message": [
        "Expected '$h_subject:' to expand to 'agenda', but it gave 'minutes'.",
        "-oi -bem ",
    ],
}


EXPECTED_DNS_FAILURES = {
    "claims a listed client is accepted": ["550 192.0.2.2 is listed at bl.coop.test: sent spam to our traps"],
    "claims an unlisted client is refused": ["to be rejected.", "The server replied: 250 Accepted"],
    "claims a blocklist failure goes unnoticed": [
        "451 Temporary local problem",
        "DNS list lookup defer (probably timeout) for 3.2.0.192.bl.coop.test: returned DEFER",
    ],
    "claims an SPF fail is accepted": ["550 SPF: 192.0.2.3 may not send mail for example.net"],
    "claims an SPF pass is marked as a softfail": [
        'Expected the ACLs to add the header "X-SPF". Headers they added: (none)'
    ],
    "claims a name for a client DNS does not name": [
        "no host name found for IP address 192.0.2.3",
        'Expected the ACLs to add the header "X-Client-Name"',
    ],
    "claims a good signature fails": ["X-DKIM-Status: pass for bakery.test"],
    "claims a message altered in transit passes": ["X-DKIM-Status: fail for bakery.test"],
    "claims a forged bank.test message is accepted": [
        "550 The DKIM signature of bank.test does not verify: bodyhash_mismatch"
    ],
    "claims the wrong MX host": [
        "no delivery goes to that host",
        "host mx1.partner.test [192.0.2.25] MX=10",
    ],
    "claims a CNAME leads elsewhere": ["but it gave '192.0.2.25'"],
    "claims the wrong name for an address": ["but it gave 'mx1.partner.test 2001:db8::25'"],
    "claims the client's reverse DNS name is not confirmed": [
        "X-Client-Name: mail.example.net (confirmed by DNS)"
    ],
}


EXPECTED_DECISION_FAILURES = {
    "claims the wrong line decided": [
        "Expected RCPT TO:<bob@other.example> to be decided by the statement at line 171 of ACL "
        '"acl_check_rcpt".',
        'Decided by the "deny" statement of ACL "acl_check_rcpt" (',
        "examples/coop/exim4.conf, line 213): 213 | deny message = relay not permitted",
    ],
    "claims the wrong verb decided": [
        'Decided by the "defer" statement of ACL "acl_check_rcpt"',
        "169 | defer domains = +migrating_domains 170 | message = $domain is moving to a new server",
    ],
    "claims the wrong message": [
        'to be decided by a "deny" statement with message "relay not permitted".',
        "171 | deny domains = +local_domains 172 | !verify = recipient 173 | message = 550 5.1.1",
    ],
    "claims a warn applied that did not": [
        'Expected the statement at line 181 of ACL "acl_check_rcpt" to apply to RCPT TO:<anna@coop.test>, '
        "but its conditions failed",
        "181 | warn domains = +spam_rejecting_domains",
    ],
    "claims the accept whose condition erred decided": [
        'Expected RCPT TO:<broken@shapes.test> to be decided by the "accept" statement at line 25.',
        'Decided by no statement\'s verb: Exim could not test the "accept" statement of ACL "acl_check_rcpt"',
        "(a condition failed with an error), so it deferred:",
    ],
    "claims a rejection was a deferral": [
        "Expected RCPT TO:<bob@other.example> to be deferred by the statement at line 213.",
        'Decided by the "deny" statement of ACL "acl_check_rcpt"',
    ],
    "claims a header the DATA ACL adds is not added": [
        'Expected the ACLs not to add the header "X-Coop-Checked", but they added:',
        "X-Coop-Checked: by mx.coop.test for [192.0.2.1]",
    ],
    "claims the relay rule did not apply to relaying": [
        'Expected the statement at line 213 of ACL "acl_check_rcpt" not to apply to '
        "RCPT TO:<bob@other.example>, but its conditions held",
        "213 | deny message = relay not permitted 214 | log_message = relay attempt for $local_part@$domain",
    ],
    "claims the wrong log message": [
        'Expected RCPT TO:<bob@other.example> to be decided by a "deny" statement '
        'with log message "spam run".',
        "214 | log_message = relay attempt for $local_part@$domain",
    ],
    "claims the log message is what Exim logs around it": [
        'to be decided by a "deny" statement with log message "rejected RCPT".',
        "L: H=(client.example) [192.0.2.1] F=<alice@example.net> rejected RCPT <bob@other.example>: "
        "relay attempt for bob@other.example",
    ],
    "claims an ACL variable was set for a member who did not choose it": [
        'Expected the ACL variable "acl_m_reject_spam" to contain "yes", but the ACLs did not set it.',
    ],
    "claims an ACL variable holds another value": [
        'Expected the ACL variable "acl_m_reject_spam" to contain "no", but the ACLs set it to "yes".',
    ],
}


EXPECTED_LIVE_FAILURES = {
    "claims AUTH is offered on the submission port before TLS": [
        'Expected the server to offer "AUTH PLAIN"; its EHLO reply offers: SIZE 20971520, 8BITMIME, '
        "PIPELINING, CHUNKING, STARTTLS, SMTPUTF8, HELP.",
    ],
    "claims a connection is encrypted before STARTTLS": [
        "Expected the connection to be encrypted, but it is not: no TLS was started.",
    ],
    "claims the wrong TLS version": [
        'Expected the connection to be encrypted with "TLSv1.1", but it uses TLSv1.3.',
    ],
    "claims the certificate is for another name": [
        "Expected the server's certificate to be for \"mail.example.net\", but it is for: mx.coop.test.",
        "*: TLS started: TLSv1.3, server certificate for mx.coop.test",
    ],
    "claims a stranger's certificate lets it relay": [
        "Expected RCPT TO:<friend@elsewhere.example> to be accepted.",
        "550 relay not permitted",
    ],
    "claims pipelined relaying is accepted": [
        "Expected RCPT TO:<bob@other.example> to get 250 (row 2), but the replies were:",
        "RCPT TO:<bob@other.example> -> 550 relay not permitted",
    ],
    "claims an early talker is greeted": [
        "Expected the connection to be accepted.",
        "C: EHLO hasty.example (before the greeting)",
        "554 SMTP synchronization error",
    ],
    "claims a silent client is kept waiting": [
        "Expected the silence to be accepted.",
        "421 mx.coop.test: SMTP command timeout - closing connection",
    ],
    "claims a third connection is refused from a host with two open": [
        "Expected a new connection from 192.0.2.7 to be refused with 421, but it was greeted.",
    ],
    "claims a refused message is queued": ["Expected a message in the queue, but it has 0."],
    "claims nothing is queued after a message was accepted": [
        "Expected no message in the queue, but it has 1.",
        "Subject: minutes",
    ],
    "claims the queued message has a header it has not": [
        "to have a header X-Coop-Shouting, but it has none.",
        "X-Coop-Checked: by mx.coop.test for [192.0.2.1]",
    ],
    "claims the queued message's header says otherwise": [
        'to have a header Subject containing "agenda", but its value differs.',
    ],
    "claims the queued message lacks a header it has": ["to have no header X-Coop-Checked, but it has one."],
    "claims the queued message is for someone else": ["to be for <bea@bakery.test>, but it is not."],
    "claims a member's mail goes out by the hub": [
        'Expected <anna@coop.test> to be delivered by router "hubbed" and transport "hub_smtp" in a dry run',
        "but Exim delivered it otherwise.",
        "*> anna <anna@coop.test> R=mailboxes T=mailbox",
    ],
    "claims a member's mail goes to a host": [
        "Expected a recipient to be sent to host 127.0.0.1 in a dry run",
        "but no delivery goes to that host.",
    ],
    "claims the main log has what it has not": [
        'Expected the main log to contain "<= mallory@example.net", but it does not.',
        "<= alice@example.net",
    ],
    "claims an accepted recipient is in the reject log": [
        'Expected the reject log to contain "relay attempt", but it does not.',
    ],
}


#: Each file of false claims, with what each of its scenarios must say when it fails.
FALSE_CLAIMS = {
    "wrong_claims.feature": EXPECTED_FAILURES,
    "wrong_peer_claims.feature": EXPECTED_PEER_FAILURES,
    "wrong_config_claims.feature": EXPECTED_CONFIG_FAILURES,
    "wrong_dns_claims.feature": EXPECTED_DNS_FAILURES,
    "wrong_decision_claims.feature": EXPECTED_DECISION_FAILURES,
    "wrong_live_claims.feature": EXPECTED_LIVE_FAILURES,
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
    "asks about a spam scanner the scenario never declared": (
        'StepUsageError: there is no fake spam scanner "spamd" in this scenario: declare it first.'
    ),
    "asks whether an option with a space in its name exists": (
        "InvalidInputError: 'smtp accept max' is not an option name"
    ),
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
    "asks for an option Exim does not have": (
        "InvalidInputError: Exim has no option 'mesage_size_limit'; "
        "it said: mesage_size_limit is not a known option"
    ),
    "asks for a router the configuration does not have": (
        'InvalidInputError: There is no router "hubs"; the routers are: hubbed, aliases, mailboxes, remote.'
    ),
    "calls a boolean option by a value": (
        'InvalidInputError: the option "smtp_enforce_sync" is a boolean: '
        "say it is true or false, not 'maybe'."
    ),
    "routes something that is not an address": (
        "InvalidInputError: Exim says 'not an address' is not a mail address: missing or malformed local part"
    ),
    "asks for a version that is no number": (
        "InvalidInputError: 'four' is not a version number; write it as 4.96 or 4.97.1."
    ),
    "declares a DNS record of a type the fake DNS does not serve": (
        "InvalidInputError: DNS record type 'SRV' is not offered: use one of A, AAAA, MX, TXT, PTR, CNAME."
    ),
    "declares an MX record without its preference": (
        "InvalidInputError: the MX record of partner.test cannot be 'mx1.partner.test' (expecting an "
        'integer): an MX value reads like "10 mx1.example.net" (preference, then host).'
    ),
    "names the client before connecting": (
        "StepUsageError: write 'Given a connection from IP' first: the name is the client's."
    ),
    "signs with one of two keys without saying which": (
        "StepUsageError: bakery.test has keys under the selectors new, old: say which"
    ),
    "starts TLS in an exim -bh session": (
        "UnsupportedCommandError: STARTTLS cannot be tested in an exim -bh session: Exim answers 220"
    ),
    "declares two fake peers whose macros are one": (
        'StepUsageError: the fake SMTP server "HUB" would reach Exim as the macro HUB_PORT, which the '
        'fake SMTP server "hub" already is: give it another name ("fake-HUB", whose macro is FAKE_HUB_PORT).'
    ),
    "sets the macro a fake peer sets": (
        'StepUsageError: the fake SMTP server "hub" would reach Exim as the macro HUB_PORT, which a '
        '"Given the macro HUB_PORT" step of the scenario already sets'
    ),
    "names a fake peer so that a macro of the configuration is the start of its macro": (
        'StepUsageError: the fake SMTP server "hub-host" would reach Exim as the macro HUB_HOST_PORT, but '
        "the configuration defines the macro HUB_HOST, and Exim substitutes HUB_HOST inside HUB_HOST_PORT"
    ),
    "asks for a PRDR verdict of a message sent without PRDR": (
        "StepUsageError: the last message got no verdict for each recipient: send MAIL FROM with PRDR"
    ),
    "connects from a scoped IPv6 address": (
        "InvalidInputError: client IP 'fe80::1%eth0' names an interface (%...), which means nothing"
    ),
    "names the client's host before connecting": (
        "StepUsageError: write 'Given a connection from IP' before 'Given the client's host name is ...'"
    ),
    "authenticates before EHLO": (
        "StepUsageError: AUTH PLAIN needs the server's EHLO reply first (it says which mechanisms it "
        "offers): send EHLO before it (When I send EHLO client.example)."
    ),
    "authenticates on a server that does not offer AUTH": (
        "StepUsageError: The server's EHLO reply does not offer AUTH PLAIN, so AUTH was not sent:"
    ),
    "gives a fake Dovecot a table without passwords": (
        "StepUsageError: this step needs a table with the columns 'user', 'password'; it has ['user']"
    ),
    "asks what the server offers before EHLO": (
        "StepUsageError: \"the server offers\" reads the EHLO reply, and there is none now: send EHLO first"
    ),
    "runs a filter file that does not exist": (
        "InvalidInputError: The filter file 'examples/coop/filters/nobody.sieve' does not exist: "
        "give the path of a filter file."
    ),
    "runs a file that is no filter": (
        "InvalidInputError: 'examples/coop/aliases' is not a filter: its first line is "
        "'# Per-domain aliases: address: where its mail goes.'"
    ),
    "gives a message without the empty line after its headers": (
        "InvalidInputError: Line 2 of the test message, 'Hi.', is neither a header (Name: value) nor "
        "the empty line that ends the headers"
    ),
    "runs a filter without a message": (
        'StepUsageError: this step needs a message: write it under "Given the message:"'
    ),
    "asks what a filter did before one ran": (
        'StepUsageError: no filter has handled the message yet: write "When the filter "PATH" handles '
        'the message"'
    ),
    "asks about a field rewriting does not print": (
        "StepUsageError: exim -brw prints no field 'subject': it prints sender, from, to, cc, bcc, "
        "reply-to, env-from, env-to"
    ),
    "claims about a line where no statement starts": (
        'StepUsageError: No statement of ACL "acl_check_rcpt" starts at line 182 of '
    ),
    "asks whether the server offers nothing": (
        'StepUsageError: name the extension the EHLO reply should offer, e.g. "AUTH PLAIN" or "PIPELINING".'
    ),
    "starts TLS without a live server": (
        "StepUsageError: 'When I start TLS' needs a live Exim server: add 'Given the Exim server is running' "
        "to the scenario"
    ),
    "opens a TLS connection without a live server": (
        "StepUsageError: a TLS connection needs a live Exim server: add 'Given the Exim server is running' "
        "to the scenario (a real Exim daemon, in its private network), above this step."
    ),
    "tells a live server the client's name": (
        "StepUsageError: a live connection cannot be told the client's host name: Exim finds it out itself."
    ),
    "checks replies of commands it never sent at once": (
        "StepUsageError: 'Then the replies are:' checks commands sent at once: write 'When I send these "
        "commands at once:' first."
    ),
    "runs a live server on a configuration Exim refuses": (
        'EximConfigError: Exim rejected its configuration: main option "message_size_limt" unknown'
    ),
    "sets the command timeout after the server started": (
        "StepUsageError: 'Given the SMTP command timeout is ...' came after the live server had started"
    ),
    "sends a command while Exim waits for the message": (
        "UnsupportedCommandError: Exim is waiting for the message text after DATA's 354, "
        "so 'RCPT TO:<bea@bakery.test>' would be read as a line of the message"
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
        assert "eximunit_bdd/smtp/" not in found[name] and "eximunit_bdd/bdd/" not in found[name]


OUT_OF_STEP = """\
Feature: A claim is never judged against the wrong reply

  Scenario: an over-long recipient, then an open relay claimed
    Given a connection from 192.0.2.1
    When I send MAIL FROM <alice@example.net>
    And I send RCPT TO <{local}@coop.test>
    Then RCPT TO <anna@coop.test> is rejected
    And RCPT TO <someone@other.example> is accepted
"""


def test_an_over_long_line_never_lets_false_claims_pass(tmp_path):
    # Exim answers a line of 16384 characters or more twice; the session used to take the
    # second answer for the next command's, and this scenario (a member refused, an open
    # relay) passed.
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "eximunit.py").write_text("from eximunit_bdd.steps import *\n")
    (tmp_path / "environment.py").write_text("from eximunit_bdd.environment import *\n")
    (tmp_path / "out_of_step.feature").write_text(OUT_OF_STEP.format(local="a" * 17000))
    run = subprocess.run(
        [sys.executable, "-m", "behave", "--no-color", "-f", "plain", "-D", f"exim_config={EXAMPLE_CONFIG}",
         "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 1 and "0 scenarios passed, 1 failed" in output, output
    assert "Exim answered RCPT TO:<aaaa" in output and " 2 times:\n" in output, output
    assert "2 steps passed, 1 failed, 2 skipped" in output, output
