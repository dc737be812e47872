"""Exim's last words turned into errors that say what to do."""

from __future__ import annotations

import pytest

from eximunit_bdd.errors import ConfigPermissionError, EximConfigError, EximCrashedError, ReasonHiddenError
from eximunit_bdd.exim.diagnosis import crash_error, startup_error
from eximunit_bdd.oneshot.addresses import check_reason


def test_wrong_owner_or_mode_says_how_to_fix_it(recorded):
    error = startup_error(recorded("wrong-mode.stderr").splitlines(), ["exim4"])
    assert isinstance(error, ConfigPermissionError)
    assert "chown root /etc/exim4/w.conf && chmod go-w /etc/exim4/w.conf" in str(error)
    assert error.exim_message.endswith("has the wrong owner, group, or mode")


def test_configuration_error_quotes_exim_and_the_line(recorded, tmp_path):
    config = tmp_path / "c.conf"
    config.write_text("\n" * 37 + "foo_bar = 1\n")
    stderr = recorded("config-error.stderr").replace("/etc/exim4/c.conf", str(config))
    error = startup_error(stderr.splitlines(), ["exim4"])
    assert type(error) is EximConfigError
    assert 'option "foo_bar" unknown' in str(error)
    assert "38 | foo_bar = 1" in str(error)


def test_a_configuration_error_names_the_command_that_shows_it_macros_and_all(recorded, tmp_path):
    # A macro can switch the failing line on: `exim -C FILE -bV` alone may pass.
    config = tmp_path / "c.conf"
    config.write_text("\n" * 37 + "foo_bar = 1\n")
    stderr = recorded("config-error.stderr").replace("/etc/exim4/c.conf", str(config))
    argv = ["/usr/sbin/exim4", "-C", str(config), "-DBROKEN", "-DEXIMUNIT_SPOOL=/tmp/s p", "-bh", "192.0.2.1"]
    error = startup_error(stderr.splitlines(), argv)
    shown = f"/usr/sbin/exim4 -C {config} -DBROKEN '-DEXIMUNIT_SPOOL=/tmp/s p' -bV"
    assert f"({shown} shows the same error)" in str(error)


def test_anything_else_shows_the_command_and_what_exim_said():
    error = startup_error(["exim abandoned: something odd"], ["/usr/sbin/exim4", "-bh", "1.2.3.4"])
    assert isinstance(error, EximCrashedError)
    assert "/usr/sbin/exim4 -bh 1.2.3.4" in str(error) and "something odd" in str(error)


def test_unprivileged_chown_failure_names_the_configuration_fix():
    stderr = ["LOG: exim.c:878: chown(/tmp/s/input/x-D, 102:105) failed (Operation not permitted)."]
    error = crash_error(".", stderr)
    assert "exim_user = EXIMUNIT_USER" in str(error) and "without answering ." in str(error)
    # An installed package has no examples/ directory to point at: the lines are shown.
    assert "examples/" not in str(error) and "exim_group = EXIMUNIT_GROUP" in str(error)


def test_hidden_reason_shows_the_lines_to_add_not_a_path_in_this_repository():
    with pytest.raises(ReasonHiddenError) as raised:
        check_reason("someone@fail.test", [None], "Gone away", "undeliverable", None)  # type: ignore[arg-type]
    message = str(raised.value)
    assert "admin_groups = EXIMUNIT_GROUP" in message and "exim_user = EXIMUNIT_USER" in message
    assert "examples/" not in message
