"""Which statement decided, with the real Exim: accept, deny, defer, a warn that
applied, a decision inside a nested ACL from an .included file, an implicit deny, and
Debian's split configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from eximunit_bdd import EximConfig, EximConfigError, EximOptions, EximSession, UnexpectedReplyError
from eximunit_bdd.acl.source import acl_statements, statement_text
from eximunit_bdd.fakes.dns_network import DnsNetwork

from .conftest import CONFIGS

ACL_CONF = CONFIGS / "acl.conf"


def _chain(reply):
    return [(s.acl, s.verb, s.file.rsplit("/", 1)[-1], s.line) for s in reply.decision.decision_chain]


@pytest.fixture
def session(private_tmp):
    with EximSession("192.0.2.1", config=ACL_CONF) as session:
        yield session


def test_accept_defer_deny_and_the_warn_before_them(session):
    session.mail_from("a@ok.test")
    postmaster = session.send_rcpt_to("postmaster@acl.test")
    assert _chain(postmaster) == [("acl_check_rcpt", "accept", "acl.conf", 29)]
    warn = postmaster.decision.statements[0]
    assert (warn.verb, warn.line, warn.outcome) == ("warn", 28, "succeeded")
    assert _chain(session.send_rcpt_to("later@acl.test")) == [("acl_check_rcpt", "defer", "acl.conf", 31)]
    assert _chain(session.send_rcpt_to("x@other.test")) == [("acl_check_rcpt", "deny", "acl.conf", 33)]


def test_a_decision_inside_a_nested_acl_of_an_included_file(session):
    session.mail_from("a@bad.test")
    reply = session.send_rcpt_to("bob@acl.test")
    assert reply.code == 550 and reply.decision.verdict == "not OK"
    assert _chain(reply) == [
        ("acl_check_rcpt", "require", "acl.conf", 30),
        ("acl_sender_ok", "deny", "acl_inner.conf", 3),
    ]
    assert reply.decision.decision_chain[-1].file == str(CONFIGS / "acl_inner.conf")


def test_an_implicit_deny_is_named_in_the_failure(session):
    with pytest.raises(UnexpectedReplyError) as failure:
        session.mail_from("x@stranger.test")
    assert 'Decided by the end of ACL "acl_check_mail": no statement ended it' in str(failure.value)
    assert "implicit DENY" in str(failure.value)


#: The test block for Debian's configuration, in conf.d/main/000_localmacros of a copy:
#: its spool is the sandbox's, and Exim runs as the caller.
DEBIAN_TEST_BLOCK = (
    ".ifdef EXIMUNIT_SPOOL\nSPOOLDIR = EXIMUNIT_SPOOL\n.endif\n"
    ".ifdef EXIMUNIT_USER\nexim_user = EXIMUNIT_USER\nexim_group = EXIMUNIT_GROUP\n.endif\n"
)


def build_debian_split_config(
    directory: Path, localmacros: str = DEBIAN_TEST_BLOCK, configtype: str = "local"
) -> Path:
    """Debian's configuration as update-exim4.conf builds it from /etc/exim4/conf.d when
    dc_use_split_config is true (into a file of our own: the machine's is untouched);
    `configtype` is debconf's (local, internet, smarthost, ...)."""
    source = directory / "etc"
    shutil.copytree("/etc/exim4/conf.d", source / "conf.d")
    (source / "conf.d" / "main" / "000_localmacros").write_text(localmacros)
    settings = Path("/etc/exim4/update-exim4.conf.conf").read_text()
    chosen = f"dc_eximconfig_configtype='{configtype}'"
    settings = re.sub(r"^dc_eximconfig_configtype=.*$", chosen, settings, flags=re.M)
    (source / "update-exim4.conf.conf").write_text(
        settings.replace("dc_use_split_config='false'", "dc_use_split_config='true'")
    )
    config = directory / "exim4.conf"
    update = "/usr/sbin/update-exim4.conf"  # by its path: an ordinary user's PATH lacks /usr/sbin
    subprocess.run([update, "-d", str(source), "-o", str(config)], check=True, timeout=60)
    return config


@pytest.fixture
def debian_split_config(tmp_path: Path) -> Path:
    return build_debian_split_config(tmp_path)


def test_debians_configuration_without_its_test_block_is_refused_saying_which_block(private_tmp, tmp_path):
    config = build_debian_split_config(tmp_path, localmacros="")
    with pytest.raises(EximConfigError) as caught:
        EximConfig(config).route("postmaster@localhost")
    message = str(caught.value)
    assert "its spool_directory is still /var/spool/exim4" in message
    assert "It is Debian's configuration" in message and "conf.d/main/000_localmacros" in message
    assert ".ifdef EXIMUNIT_SPOOL\n  SPOOLDIR = EXIMUNIT_SPOOL\n  .endif" in message
    # A copy's exim4.conf.localmacros is ignored by update-exim4.conf -d: never advised.
    assert "eximunit-bdd init prints one" in message and "localmacros does not work" in message


def test_the_debian_split_configuration(private_tmp, debian_split_config):
    # Debian's configuration looks up the client's name (host_lookup = *): in the fake
    # DNS's network nothing reaches the real DNS.
    with DnsNetwork() as world:
        options = EximOptions(config=debian_split_config, network=world.network)
        with EximSession("192.0.2.1", options=options) as session:
            session.mail_from("alice@example.net")
            reply = session.send_rcpt_to("bob@other.example")
    assert reply.code == 550
    assert reply.decision is not None
    (decider,) = reply.decision.decision_chain
    assert (decider.acl, decider.verb, decider.file) == (
        "acl_check_rcpt",
        "require",
        str(debian_split_config),
    )
    text = [line for _, line in statement_text(decider.file, decider.line)]
    assert text[0].strip() == "require" and "message = relay not permitted" in " ".join(text)
    listed = {statement.location: statement for statement in acl_statements(debian_split_config)}
    assert decider.location in listed and listed[decider.location].acl == "acl_check_rcpt"
    assert {"acl_check_rcpt", "acl_check_data", "acl_local_deny_exceptions"} <= {
        s.acl for s in listed.values()
    }


SHAPES = CONFIGS / "acl_shapes.conf"


def test_a_statement_whose_first_line_is_continued_is_named_by_that_line(private_tmp):
    with EximSession("192.0.2.1", config=SHAPES) as session:
        session.mail_from("other@bad.test")
        refused = session.send_rcpt_to("a@shapes.test")
        session.send("RSET")
        session.mail_from("x@ok.test")
        many = session.send_rcpt_to("many@shapes.test")
    # Exim traces them at lines 23 and 29, the last lines of their first logical lines.
    assert _chain(refused) == [("acl_check_rcpt", "deny", "acl_shapes.conf", 21)]
    assert _chain(many) == [("acl_check_rcpt", "deny", "acl_shapes.conf", 27)]
    assert [number for number, _ in statement_text(str(SHAPES), 23)] == [21, 22, 23, 24]
    assert [number for number, _ in statement_text(str(SHAPES), 27)] == [27, 28, 29, 30]
    lines = {statement.line for statement in acl_statements(SHAPES)}
    assert {21, 27} <= lines and not {23, 29} & lines  # coverage counts them where they begin


def test_a_condition_that_errs_decides_nothing_by_its_verb(private_tmp):
    with EximSession("192.0.2.1", config=SHAPES) as session:
        session.mail_from("x@ok.test")
        with pytest.raises(UnexpectedReplyError) as failure:
            session.assert_rcpt_to_accepted("broken@shapes.test")
    reply = failure.value.reply
    assert reply is not None and reply.decision is not None
    (statement,) = reply.decision.decision_chain
    assert (statement.verb, statement.line, statement.outcome) == ("accept", 25, "error")
    assert statement.untestable
    message = str(failure.value)
    assert 'Decided by no statement\'s verb: Exim could not test the "accept" statement' in message
    assert "(a condition failed with an error), so it deferred:" in message
    assert "25 |   accept  local_parts = broken" in message and "26 |" in message
