"""Running Exim once in a one-shot mode (`-bt`, `-bv`, `-be`, `-bP`, `-bV`, ...) and
capturing what it printed, with the same binary, configuration, macros and sandbox as
an SMTP session. Every mode module runs Exim through `run_exim`."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Protocol

from ..errors import ConfigAssertionError, ReplyTimeoutError
from ..exim.diagnosis import startup_error
from ..exim.inputs import check_line
from ..exim.options import EximOptions
from ..exim.process import kill_tree, start_process
from ..exim.sandbox import LOGGING_MODES, Sandbox, logs_hidden
from ..text import shortened

__all__ = ["EximRun", "Answer", "run_exim", "shown", "answer_failure"]


@dataclass(frozen=True)
class EximRun:
    """One finished Exim run: its exit status and what it printed.

    Only `stdout` is parsed: stderr carries notices such as "exim user lost privilege
    for using -C option", sometimes as a `LOG: MAIN PANIC`, even when all went well.
    """

    argv: tuple[str, ...]
    #: The arguments after the binary, configuration and macros: `("-bt", "--", "a@b")`.
    mode_args: tuple[str, ...]
    status: int
    stdout: str
    stderr: str

    @property
    def command(self) -> str:
        """The command as a person would type it: `exim4 -bt -- anna@coop.test`."""
        return shlex.join([os.path.basename(self.argv[0]), *self.mode_args])

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def shown(self) -> str:
        return shown(self.command, self.stdout)


def shown(command: str, output: str) -> str:
    """A command and its output, indented, for a failure message."""
    lines = "\n".join("    " + shortened(line) for line in output.splitlines()) or "    (nothing)"
    return f"  $ {shortened(command)}\n{lines}"


class Answer(Protocol):
    """A parsed answer that keeps Exim's own words: `Routing`, `Verification`, ..."""

    @property
    def command(self) -> str: ...

    @property
    def output(self) -> str: ...


def answer_failure(headline: str, answer: Answer) -> ConfigAssertionError:
    """A one-shot check's failure: the headline, then the command and what Exim said."""
    return ConfigAssertionError(f"{headline}\nExim said:\n{shown(answer.command, answer.output)}")


def run_exim(options: EximOptions, *mode_args: str, input: str | bytes | None = None) -> EximRun:
    """Run `exim MODE_ARGS...` (`-bt`, `--`, `a@b`) in a fresh sandbox and return
    what it printed. `input` is fed to its stdin (a message, for `-bf` or `-bem`);
    without it, stdin is empty.

    Raises EximConfigError when Exim refused the configuration, EximCrashedError when
    it printed nothing and failed, and ReplyTimeoutError when it did not finish within
    the options' timeout (Exim is killed first, as on Ctrl-C).
    """
    for argument in mode_args:
        check_line(argument, "argument for Exim")
    data = input.encode("utf-8", "surrogateescape") if isinstance(input, str) else input
    sandbox: Sandbox | None = None
    process: subprocess.Popen[bytes] | None = None
    try:
        sandbox = Sandbox()
        argv = options.base_argv(sandbox.macros()) + list(mode_args)
        # Where Exim would write a configuration error into the machine's paniclog,
        # its log directory is hidden (see `logs_hidden`).
        hide = bool(LOGGING_MODES.intersection(mode_args[:1]))
        process = start_process(
            options.launch(logs_hidden(argv) if hide else argv),
            stdin=subprocess.DEVNULL if data is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        stdout, stderr = process.communicate(data, timeout=options.timeout)
    except subprocess.TimeoutExpired:
        raise ReplyTimeoutError(
            f"exim {shlex.join(mode_args)} did not finish within {options.timeout:g} s and was "
            "stopped. A lookup in a router or an expansion may be hanging (DNS, a socket, "
            "a database): check it, or raise the timeout (behave -D timeout=30)."
        ) from None
    finally:
        if process is not None:
            _reap(process)  # killed first if a timeout or Ctrl-C left it running
        if sandbox is not None:
            sandbox.cleanup()
    run = EximRun(
        tuple(argv),
        mode_args,
        process.returncode,
        stdout.decode("utf-8", "replace"),
        stderr.decode("utf-8", "replace"),
    )
    # -bV prints the build before it reads the configuration, so output alone does not
    # prove that Exim accepted it.
    if run.status != 0 and (not run.stdout.strip() or "configuration error" in run.stderr):
        raise startup_error(run.stderr.splitlines(), argv, before=f"it answered {run.command}")
    return run


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Kill the process unless it has exited, wait for it, close its pipes."""
    if process.poll() is None:
        kill_tree(process)  # with whatever it started (${run}, a pipe)
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
