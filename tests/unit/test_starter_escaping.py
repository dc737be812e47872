"""`eximunit-bdd init --config PATH` writes a behave.ini that names PATH exactly, as
behave's configparser reads it back, whatever the path holds: a `%` is escaped, and a
path that an ini file cannot hold (a newline would inject a second key) is refused."""

from __future__ import annotations

import pytest
from behave.configuration import read_configuration

from eximunit_bdd.cli.main import main
from eximunit_bdd.cli.starter import write_starter
from eximunit_bdd.errors import InvalidInputError


def _config(tmp_path, name: str):
    directory = tmp_path / "configs"
    directory.mkdir(exist_ok=True)
    config = directory / name
    config.write_text("# an Exim configuration\n")
    return config


@pytest.mark.parametrize("name", ["100%.conf", "exim%(here)s.conf", "50%%off.conf", "a$b ; #c.conf"])
def test_behave_reads_back_the_path_that_was_named(tmp_path, name):
    config = _config(tmp_path, name)
    suite = tmp_path / "suite"
    write_starter(suite, config)
    userdata = read_configuration(str(suite / "behave.ini"))["userdata"]
    assert userdata == {"exim_config": str(config.resolve())}


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("x.conf\ntimeout = 1", "a newline"),
        ("x.conf\rcallouts = yes", "a carriage return"),
        ("x\t.conf", "a tab"),
        ("x\x1b.conf", "a control character"),
        ("x\x85.conf", "a control character"),
        ("x\udcff.conf", "not UTF-8"),
        ("x.conf ", "ends in a space"),
    ],
)
def test_a_path_behave_ini_cannot_hold_is_refused_and_nothing_is_written(tmp_path, name, said):
    config = _config(tmp_path, name)
    suite = tmp_path / "suite"
    with pytest.raises(InvalidInputError) as raised:
        write_starter(suite, config)
    message = str(raised.value)
    assert said in message and "behave.ini" in message and "rename" in message, message
    assert not (suite / "behave.ini").exists()


def test_the_command_says_why_it_refused(tmp_path, capsys):
    config = _config(tmp_path, "x.conf\ntimeout = 1")
    assert main(["init", str(tmp_path / "suite"), "--config", str(config)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("eximunit-bdd init: ") and "a newline" in error
