"""Checking what callers pass before anything reaches Exim."""

from __future__ import annotations

import os

import pytest

from eximunit_bdd.bdd.settings import options_from_userdata
from eximunit_bdd.errors import EximConfigError, EximNotFoundError, InvalidInputError
from eximunit_bdd.exim.binary import find_exim
from eximunit_bdd.exim.inputs import check_ip, check_line, check_macro_name, check_port
from eximunit_bdd.exim.options import EximOptions
from eximunit_bdd.smtp.message import build_message, message_lines


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\0b", "RCPT TO:<x>\r\nDATA"])
def test_cr_lf_and_nul_are_refused_as_value_errors(bad):
    with pytest.raises(ValueError, match="contains (CR|LF|NUL); nothing was sent"):
        check_line(bad, "address")


@pytest.mark.parametrize("bad", ["999.1.1.1", "banana", "", "192.0.2.1/24"])
def test_invalid_ips_are_refused_clearly(bad):
    with pytest.raises(InvalidInputError, match="is not an IP address"):
        check_ip(bad)


def test_ips_are_normalised():
    assert check_ip(" 2001:DB8::1 ") == "2001:db8::1"


def test_macro_names_follow_exim_rules():
    assert check_macro_name("HUB_PORT") == "HUB_PORT"
    for bad in ("hub_port", "1X", "A-B", ""):
        with pytest.raises(InvalidInputError):
            check_macro_name(bad)


def test_macro_arguments():
    options = EximOptions(macros={"A": "1", "FLAG": None})
    assert options.macro_args({"B": "x y"}) == ["-DA=1", "-DFLAG", "-DB=x y"]
    with pytest.raises(InvalidInputError):
        EximOptions(macros={"A": "1\n"}).macro_args()


def test_missing_exim_names_every_place_tried(tmp_path):
    missing = tmp_path / "exim"
    with pytest.raises(EximNotFoundError) as caught:
        find_exim(str(missing))
    assert str(missing) in str(caught.value) and caught.value.tried == [str(missing)]
    assert isinstance(caught.value, FileNotFoundError)


def test_named_exim_without_a_path_is_looked_up_on_path_and_sbin(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EximNotFoundError, match="no-such-exim \\(on PATH and in /usr/sbin\\)"):
        find_exim("no-such-exim")


def test_missing_configuration_is_reported_before_exim_runs(tmp_path):
    with pytest.raises(EximConfigError, match="does not exist"):
        EximOptions(config=tmp_path / "nope.conf").config_path()


def test_userdata_is_checked(tmp_path):
    exim = tmp_path / "exim"
    exim.write_text("#!/bin/sh\n")
    os.chmod(exim, 0o755)
    options = options_from_userdata({"exim": str(exim), "callouts": "no", "timeout": "2.5"})
    assert (options.exim, options.callouts, options.timeout, options.config) == (str(exim), False, 2.5, None)
    with pytest.raises(InvalidInputError, match="callouts='maybe'"):
        options_from_userdata({"exim": str(exim), "callouts": "maybe"})
    for timeout in ("0", "inf", "1e400", "-5", "nan", "soon"):
        with pytest.raises(InvalidInputError, match=f"timeout='{timeout}': write a number of seconds"):
            options_from_userdata({"exim": str(exim), "timeout": timeout})
    # A misspelt name would leave the system configuration under test, silently.
    for misspelt, meant in (("exim_conf", "exim_config"), ("timout", "timeout"), ("macro", "macros")):
        with pytest.raises(InvalidInputError, match=f"no setting {misspelt}; did you mean {meant}\\?"):
            options_from_userdata({"exim": str(exim), misspelt: "x"})
    # A suite's own settings, and behavex's, are not ours to refuse.
    options_from_userdata(
        {"exim": str(exim), "leak_report": "r.txt", "worker_id": "0", "server": "mx", "coverage_dir": "c"}
    )
    for seconds in (0.0, float("inf"), float("nan")):  # the Python API shares the checks
        with pytest.raises(InvalidInputError, match="write a number of seconds above 0"):
            EximOptions(timeout=seconds)


def test_what_exim_would_misread_is_refused_up_front():
    with pytest.raises(InvalidInputError, match="names an interface"):
        check_ip("fe80::1%eth0")
    with pytest.raises(InvalidInputError, match="is not valid: Exim macro names"):
        check_macro_name("ÉTAT")
    with pytest.raises(InvalidInputError, match="is not valid: Exim macro names"):
        EximOptions(macros={"Ünïcode": "1"})
    with pytest.raises(InvalidInputError, match="^subject .* contains CR; nothing was sent"):
        build_message("a@example.net", ["b@coop.test"], subject="x\r\nBcc: a@b")


def test_message_lines_are_dot_stuffed_and_line_ends_normalised():
    assert message_lines("Subject: x\r\n\n.hidden\n..two\nend\n") == [
        "Subject: x",
        "",
        "..hidden",
        "...two",
        "end",
    ]


def test_built_messages_follow_the_envelope():
    message = build_message("a@example.net", ["b@coop.test", "c@coop.test"], "hello", "body")
    assert "From: <a@example.net>\nTo: b@coop.test, c@coop.test\nSubject: hello\n" in message
    assert message.endswith("\n\nbody\n") and "Message-ID: <" in message


def test_ports_are_checked():
    assert check_port("587", "server port") == 587 and check_port(None, "server port") is None
    for bad in ("0", "65536", "smtp", "-1"):
        with pytest.raises(InvalidInputError, match="is not a port number"):
            check_port(bad, "server port")
