"""Filters (`exim -bf FILE`, a user's Exim or Sieve filter; `exim -bF FILE`, a system
filter): what a filter would do with a message, parsed, asked of Exim, and checked.

What Exim 4.96 prints (stdout; the message is read on stdin, `-oi`: a lone `.` is text)::

    Return-path copied from sender
    Sender      = x@y.test                     -f (`<>` for the empty sender)
    Recipient   = joe@coop.test                -bfl joe -bfd coop.test
    Testing Exim filter file "/path"           or Sieve filter
                                               Exim filter actions:
    Deliver message to: bob@shop.test          `Unseen deliver ...` for unseen ones
    Save message to: /var/mail/archive         (a mode after it if given)
    Pipe message to: /usr/bin/logger
    Headers add "X-A: 1\\nX-B: 2"              -bF only (-bf: a Filter error)
    Fail text "..." / Freeze text "..."        -bF only, then `Filtering ended by "fail".`
    Testprint: ...
    Filtering set up at least one significant delivery or other action.
    No other deliveries will occur.            or: `Filtering did not set up a significant
                                               delivery.` / `Normal delivery will occur.`
    Filter error: ... near line 3 of filter file    exit 1
                                               Sieve:
    Implicit keep / No implicit keep           the only line about actions, so Sieve runs
    Sieve error: missing semicolon in line 4   get `-v`, and its stderr then says
                                               `redirect `bob@shop.test'` and
                                               `fileinto `folder'` (`keep` is `fileinto
                                               `inbox'`). An error exits 0 and keeps.

Exim's Sieve has no pipe, header, fail or freeze actions: asking those of a Sieve
filter fails, saying so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple, NoReturn

from ..errors import InvalidInputError, StepUsageError, UnexpectedOutputError
from ..exim.inputs import check_address
from ..exim.options import EximOptions
from ..text import appears_in
from . import expansion
from .addresses import sender_arguments
from .message_text import check_message
from .options import ask_option
from .run import answer_failure, run_exim

__all__ = [
    "AddedHeader",
    "FilterError",
    "FilterResult",
    "filter_kind",
    "parse_filter",
    "filter_message",
    "system_filter_path",
    "system_filter_message",
    "assert_delivers_to",
    "assert_saves_to",
    "assert_pipes_to",
    "assert_adds_header",
    "assert_normal_delivery",
    "assert_no_normal_delivery",
    "assert_fails",
    "assert_freezes",
    "assert_discards",
    "assert_filter_error",
]

FilterKind = Literal["exim", "sieve"]

#: What `rda_is_filter` recognises: after blank space, case and blanks aside.
_FIRST_LINE = {
    "exim": re.compile(r"#[ \t]*exim[ \t]*filter", re.I),
    "sieve": re.compile(r"#[ \t]*sieve[ \t]*filter", re.I),
}

_TESTING = re.compile(r'^Testing (?P<kind>Exim filter|Sieve filter|forward file) file "(?P<path>.*)"$')
_SENDER = re.compile(r"^Sender {6}= (?P<address>.*)$")
_RECIPIENT = re.compile(r"^Recipient {3}= (?P<address>.*)$")
_PREAMBLE = re.compile(
    r'^(?:Return-path (?:copied from sender|taken from "Return-path:" header line|= .*)'
    r'|Sender taken from "From " line|(?:Prefix|Suffix) {4}= .*|Warning: no message headers read)$'
)
_DELIVER = re.compile(
    r"^(?:Unseen d|D)eliver message to: (?P<target>.+?)(?: \(noerror\))?(?: errors_to \S+)?$"
)
_SAVE = re.compile(r"^(?:Unseen s|S)ave message to: (?P<target>.+?)(?: [0-7]{4})?(?: \(noerror\))?$")
_PIPE = re.compile(r"^(?:Unseen p|P)ipe message to: (?P<target>.+?)(?: \(noerror\))?$")
_MAIL = re.compile(r"^(?:Seen m|M)ail to: (?P<target>.+?)(?: \(vacation\))?(?: \(noerror\))?$")
_MAIL_ARGUMENT = re.compile(
    r"^ *(?:to|cc|bcc|from|reply_to|subject|extra_headers|text|file|log|once|once_repeat): "
    r"|^Return original message$"
)
_HEADERS = re.compile(r'^Headers (?P<how>add|remove|charset) "(?P<text>.*)"$')
_ENDED = re.compile(r'^(?P<how>Fail|Freeze|Defer) text "(?P<text>.*)"$')
_TESTPRINT = re.compile(r"^Testprint: (?P<text>.*)$")
_OTHER = re.compile(
    r"^(?:(?:Seen f|F)inish|Add \d+ to n\d+|(?:Seen l|L)og(?:file|write) .*|\w+ command ignored because "
    r'return_path is empty|Filtering ended by "(?:defer|freeze|fail)"\.'
    r"|Filtering set up at least one significant delivery or other action\.|No other deliveries will occur\."
    r"|Filtering did not set up a significant delivery\.|No implicit keep)$"
)
_NORMAL = ("Normal delivery will occur.", "Implicit keep")
_FILTER_ERROR = re.compile(r"^Filter error: (?P<text>.*)$")
_SIEVE_ERROR = re.compile(r"^Sieve error: (?P<text>.*) in line (?P<line>\d+)$")
_LINE = re.compile(r"\bline (\d+)\b")
#: What `-v` adds to stderr for each Sieve action (sieve.c, add_addr).
_SIEVE_ACTION = re.compile(r"^(?P<how>redirect|fileinto) `(?P<target>.*)'$")
_SIEVE_TRACE = re.compile(
    r"^(?:(?:redirect|fileinto) `|Repeated |Notification |Sieve: |Ignoring notification)"
)
#: The folder `keep` files into: the user's normal mailbox.
_INBOX = "inbox"
#: What Exim's Sieve (4.96) can do: keep, fileinto, redirect, discard, stop, vacation, notify.
_NOT_SIEVE = (
    "Exim's Sieve has no such action (it has keep, fileinto, redirect, discard, stop, vacation, notify)"
)


class AddedHeader(NamedTuple):
    """A header a system filter adds: `headers add "X-Spam: yes"`."""

    name: str
    text: str


@dataclass(frozen=True)
class FilterError:
    """A filter Exim could not run: its words, which name the line (`"then" expected
    ... near line 4 of filter file`, `missing semicolon in line 5`), and the line."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class FilterResult:
    """The result of `exim -bf FILE` (`system`: `-bF FILE`) for one message.

    `discarded` is defined from what Exim prints: no normal delivery, nothing
    delivered, saved or piped (seen or unseen), and no fail, freeze, defer or error.
    For a Sieve filter parsed without its `-v` trace, `actions_shown` is False: Exim
    then printed only whether the implicit keep holds.
    """

    kind: FilterKind
    system: bool = False
    deliveries: tuple[str, ...] = ()
    saves: tuple[str, ...] = ()
    pipes: tuple[str, ...] = ()
    added_headers: tuple[AddedHeader, ...] = ()
    removed_headers: tuple[str, ...] = ()
    #: Autoreplies (`mail`, `vacation`): whom they go to.
    mails: tuple[str, ...] = ()
    testprints: tuple[str, ...] = ()
    normal_delivery: bool = False
    failed: str | None = None
    frozen: str | None = None
    deferred: str | None = None
    error: FilterError | None = None
    sender: str | None = None
    recipient: str | None = None
    actions_shown: bool = True
    output: str = field(default="", compare=False)
    command: str = field(default="", compare=False)

    @property
    def discarded(self) -> bool:
        ended = self.failed is not None or self.frozen is not None or self.deferred is not None
        delivered = self.deliveries or self.saves or self.pipes
        return not (self.normal_delivery or delivered or ended or self.error is not None)

    @property
    def name(self) -> str:
        """The filter as a failure message names it."""
        return (
            "the system filter"
            if self.system
            else f"the {'Sieve' if self.kind == 'sieve' else 'Exim'} filter"
        )


def filter_kind(path: str | os.PathLike[str], system: bool = False) -> FilterKind:
    """Which filter the file is, read as Exim does (its first text); refuses a file that
    does not exist or cannot be read, and one that is no filter: Exim would test it as
    a `.forward` file (a list of addresses) instead. A system filter is always an Exim
    filter (Exim reads one as such, even without its first line)."""
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(
            f"The filter file {str(file)!r} does not exist: give the path of a filter file."
        )
    try:
        text = file.read_text(errors="replace")
    except OSError as error:
        raise InvalidInputError(f"The filter file {str(file)!r} cannot be read: {error.strerror}.") from None
    first = text.lstrip()
    if _FIRST_LINE["sieve"].match(first):
        if system:
            raise InvalidInputError(
                f"{str(file)!r} is a Sieve filter, but Exim runs a system filter as an Exim filter "
                "only: test it as a user's filter, or write the system filter in Exim's language."
            )
        return "sieve"
    if _FIRST_LINE["exim"].match(first) or system:
        return "exim"
    line = first.split("\n", 1)[0]
    raise InvalidInputError(
        f"{str(file)!r} is not a filter: its first line is {line!r}, and Exim tests a file "
        "that does not start with '# Exim filter' or '# Sieve filter' as a .forward file "
        "(a list of addresses). Start it with '# Exim filter' or '# Sieve filter'."
    )


# ---- parsing ----------------------------------------------------------------------------


def parse_filter(
    output: str, trace: str | None = None, *, system: bool = False, command: str = ""
) -> FilterResult:
    """Parse `exim -bf`/`-bF` output. `trace` is the stderr of a Sieve run with `-v`
    (its actions); None when there is none, and then a Sieve filter's actions are
    unknown (`actions_shown` False).

    Raises InvalidInputError when Exim tested the file as a `.forward` file and
    UnexpectedOutputError for a line in none of the known shapes.
    """
    found = _Found()
    kind: FilterKind | None = None
    in_mail = False
    for line in output.splitlines():
        if in_mail and _MAIL_ARGUMENT.match(line):
            continue
        in_mail = False
        if match := _TESTING.match(line):
            if match.group("kind") == "forward file":
                raise InvalidInputError(
                    f"Exim tested {match.group('path')!r} as a .forward file, not a filter: start it "
                    "with '# Exim filter' or '# Sieve filter'."
                )
            kind = "sieve" if match.group("kind") == "Sieve filter" else "exim"
        elif not line or _PREAMBLE.match(line):
            continue
        elif match := _SENDER.match(line):
            found.sender = match.group("address")
        elif match := _RECIPIENT.match(line):
            found.recipient = match.group("address")
        elif kind is None:
            raise UnexpectedOutputError(f"exim -bf printed {line!r} before naming the filter it tests")
        else:
            in_mail = found.read(line)
    if kind is None:
        raise UnexpectedOutputError(f"exim -bf did not say which filter it tested: {output!r}")
    if not found.ended:
        raise UnexpectedOutputError(f"exim -bf printed no outcome of the filter: {output!r}")
    if kind == "sieve" and trace is not None:
        found.read_sieve_trace(trace)
    shown = output if kind != "sieve" or trace is None else output + "".join(found.trace_lines)
    return found.result(kind, system, kind != "sieve" or trace is not None, shown, command)


@dataclass
class _Found:
    """What a filter run printed, gathered line by line."""

    deliveries: list[str] = field(default_factory=list)
    saves: list[str] = field(default_factory=list)
    pipes: list[str] = field(default_factory=list)
    added: list[AddedHeader] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    mails: list[str] = field(default_factory=list)
    testprints: list[str] = field(default_factory=list)
    normal: bool = False
    ended_by: dict[str, str] = field(default_factory=dict)
    error: FilterError | None = None
    sender: str | None = None
    recipient: str | None = None
    ended: bool = False
    trace_lines: list[str] = field(default_factory=list)

    def read(self, line: str) -> bool:
        """Read one line after `Testing ...`; True if it began a `Mail to:` block."""
        if match := _DELIVER.match(line):
            self.deliveries.append(match.group("target"))
        elif match := _SAVE.match(line):
            self.saves.append(match.group("target"))
        elif match := _PIPE.match(line):
            self.pipes.append(match.group("target"))
        elif match := _MAIL.match(line):
            self.mails.append(match.group("target"))
            return True
        elif match := _HEADERS.match(line):
            self._read_headers(match.group("how"), match.group("text"))
        elif match := _ENDED.match(line):
            self.ended_by[match.group("how")] = match.group("text")
        elif match := _TESTPRINT.match(line):
            self.testprints.append(match.group("text"))
        elif line in _NORMAL:
            self.normal = self.ended = True
        elif match := _FILTER_ERROR.match(line):
            text = match.group("text")
            number = _LINE.search(text)
            self.error, self.ended = FilterError(text, int(number.group(1)) if number else None), True
        elif match := _SIEVE_ERROR.match(line):
            # Exim files the message into the inbox then (the doc: "silently filed")
            self.error = FilterError(
                f"{match.group('text')} in line {match.group('line')}", int(match.group("line"))
            )
            self.normal = self.ended = True
        elif _OTHER.match(line):
            self.ended = self.ended or line.startswith(("Filtering ", "No "))
        else:
            raise UnexpectedOutputError(f"exim -bf printed a line eximunit does not know: {line!r}")
        return False

    def _read_headers(self, how: str, text: str) -> None:
        """`Headers add "A: 1\\nB: 2"` (a newline printed as \\n) or `Headers remove "A:B"`."""
        if how == "remove":
            self.removed.extend(name.strip() for name in text.split(":") if name.strip())
        elif how == "add":
            for part in text.split("\\n"):
                if part[:1] in (" ", "\t") and self.added:  # a folded header's next line
                    last = self.added.pop()
                    self.added.append(AddedHeader(last.name, f"{last.text}\n{part}"))
                elif part.strip():
                    name, _, value = part.partition(":")
                    self.added.append(AddedHeader(name.strip(), value.strip()))

    def read_sieve_trace(self, trace: str) -> None:
        """The actions `-v` shows on stderr; `fileinto `inbox'` is a keep."""
        for line in trace.splitlines():
            if _SIEVE_TRACE.match(line):
                self.trace_lines.append(line + "\n")
            if match := _SIEVE_ACTION.match(line):
                target = match.group("target")
                if match.group("how") == "redirect":
                    self.deliveries.append(target)
                elif target == _INBOX:
                    self.normal = True
                else:
                    self.saves.append(target)

    def result(self, kind: FilterKind, system: bool, shown: bool, output: str, command: str) -> FilterResult:
        return FilterResult(
            kind,
            system,
            tuple(self.deliveries),
            tuple(self.saves),
            tuple(self.pipes),
            tuple(self.added),
            tuple(self.removed),
            tuple(self.mails),
            tuple(self.testprints),
            self.normal,
            self.ended_by.get("Fail"),
            self.ended_by.get("Freeze"),
            self.ended_by.get("Defer"),
            self.error,
            self.sender,
            self.recipient,
            shown,
            output,
            command,
        )


# ---- asking Exim ------------------------------------------------------------------------


def filter_message(
    options: EximOptions,
    path: str | os.PathLike[str],
    message: str,
    *,
    sender: str | None = None,
    recipient: str | None = None,
    system: bool = False,
) -> FilterResult:
    """`exim -bf PATH` (`system`: `-bF PATH`) with `message` on stdin. `sender` is the
    envelope sender (`-f`; "" for `<>`), `recipient` the address the filter runs for
    (`-bfl LOCAL_PART -bfd DOMAIN`: they set `$local_part`, `$domain`, the Sieve
    envelope "to"); Exim's defaults are the caller at the qualify domain.

    The file and the message are checked first (InvalidInputError, naming what is
    wrong); a Sieve filter runs with `-v`, the only way Exim shows its actions.
    """
    kind = filter_kind(path, system)
    text = check_message(message)
    arguments = ["-oi", *(["-v"] if kind == "sieve" else []), *sender_arguments(sender)]
    arguments += _recipient_arguments(recipient)
    run = run_exim(options, *arguments, "-bF" if system else "-bf", os.path.abspath(path), input=text)
    trace = run.stderr if kind == "sieve" else None
    return parse_filter(run.stdout, trace, system=system, command=run.command)


def _recipient_arguments(recipient: str | None) -> list[str]:
    """`-bfl LOCAL_PART -bfd DOMAIN` for `local@domain`; only `-bfl` for a local part."""
    if recipient is None:
        return []
    address = check_address(recipient)
    local_part, at, domain = address.rpartition("@")
    if not at:
        local_part, domain = address, ""
    if not local_part or (at and not domain):
        raise InvalidInputError(f"{recipient!r} is not a recipient address: write it as joe@coop.test.")
    return ["-bfl", local_part, *(["-bfd", domain] if domain else [])]


def system_filter_path(options: EximOptions) -> str:
    """The configuration's `system_filter` (`-bP system_filter`), expanded as Exim
    would (`$config_dir/...`); StepUsageError when it sets none."""
    value = (ask_option(options, "system_filter").option.value or "").strip()
    if not value:
        raise StepUsageError(
            "The configuration sets no system_filter (exim -bP system_filter is empty): set one, "
            "or test a filter file by its path."
        )
    if "$" not in value:
        return value
    expanded = expansion.expand(options, value)
    if expanded.result is None:
        raise StepUsageError(f"The configuration's system_filter {value!r} does not expand: {expanded.error}")
    return expanded.result


def system_filter_message(
    options: EximOptions, message: str, *, sender: str | None = None, recipient: str | None = None
) -> FilterResult:
    """`exim -bF SYSTEM_FILTER` with the configuration's own system filter."""
    path = system_filter_path(options)
    return filter_message(options, path, message, sender=sender, recipient=recipient, system=True)


# ---- assertions: each raises ConfigAssertionError, showing Exim's answer --------------


def assert_delivers_to(result: FilterResult, address: str) -> FilterResult:
    """The filter delivers (or redirects) the message to `address`, seen or unseen."""
    wanted = check_address(address)
    _require_actions(result, f"to deliver the message to <{wanted}>")
    if wanted.casefold() not in (delivery.casefold() for delivery in result.deliveries):
        _fail(result, f"to deliver the message to <{wanted}>", _listed("delivers to", result.deliveries))
    return result


def assert_saves_to(result: FilterResult, path: str) -> FilterResult:
    """The filter saves the message to `path` (a file, or a Sieve `fileinto` folder)."""
    wanted = path.strip()
    _require_actions(result, f"to save the message to {wanted}")
    if wanted not in result.saves:
        _fail(result, f"to save the message to {wanted}", _listed("saves to", result.saves))
    return result


def assert_pipes_to(result: FilterResult, command: str) -> FilterResult:
    """The filter pipes the message to `command` (as written, with or without `|`)."""
    wanted = command.strip().removeprefix("|").strip()
    _not_in_sieve(result, f"to pipe the message to {wanted}")
    if wanted not in result.pipes:
        _fail(result, f"to pipe the message to {wanted}", _listed("pipes to", result.pipes))
    return result


def assert_adds_header(result: FilterResult, name: str, text: str | None = None) -> AddedHeader:
    """The filter adds a header `name` (any case); with `text`, whose text contains it."""
    wanted = f'to add the header "{name}"' + (f' with "{text}"' if text is not None else "")
    _not_in_sieve(result, wanted)
    named = [header for header in result.added_headers if header.name.casefold() == name.strip().casefold()]
    for header in named:
        if text is None or appears_in(text, header.text):
            return header
    added = [f"{header.name}: {header.text}" for header in result.added_headers]
    _fail(result, wanted, _listed("adds", added) if added else "it adds no header")


def assert_normal_delivery(result: FilterResult) -> FilterResult:
    """Normal delivery occurs (Exim: "Normal delivery will occur"; Sieve: a keep)."""
    if not result.normal_delivery:
        if result.kind == "sieve" and not result.actions_shown:
            _require_actions(result, "to let normal delivery occur")
        _fail(result, "to let normal delivery occur", f"it does not ({_outcome(result)})")
    return result


def assert_no_normal_delivery(result: FilterResult) -> FilterResult:
    """Normal delivery does not occur (the filter set up a significant delivery, ended
    the filtering, or, for Sieve, cancelled the implicit keep and did not keep)."""
    _require_actions(result, "to stop normal delivery")
    if result.normal_delivery:
        _fail(result, "to stop normal delivery", "normal delivery occurs")
    return result


def assert_fails(result: FilterResult, text: str | None = None) -> FilterResult:
    """The filter fails the message (`fail`, system filters); with `text`, its text contains it."""
    return _assert_ended(result, "fail", result.failed, text)


def assert_freezes(result: FilterResult, text: str | None = None) -> FilterResult:
    """The filter freezes the message (`freeze`, system filters); with `text`, its text contains it."""
    return _assert_ended(result, "freeze", result.frozen, text)


def assert_discards(result: FilterResult) -> FilterResult:
    """The message goes nowhere: no normal delivery and nothing delivered, saved or
    piped, and the filter did not fail, freeze, defer or err (`seen finish` alone, Sieve
    `discard`)."""
    _require_actions(result, "to discard the message")
    if not result.discarded:
        _fail(result, "to discard the message", _outcome(result))
    return result


def assert_filter_error(result: FilterResult, text: str | None = None) -> FilterError:
    """Exim reports an error in the filter; with `text`, its words contain it."""
    wanted = "to have an error" + (f' containing "{text}"' if text is not None else "")
    if result.error is None:
        _fail(result, wanted, f"Exim ran it without one ({_outcome(result)})")
    if text is not None and not appears_in(text, result.error.text):
        _fail(result, wanted, f"the error is: {result.error.text}")
    return result.error


def _assert_ended(result: FilterResult, command: str, said: str | None, text: str | None) -> FilterResult:
    wanted = f"to {command} the message" + (f' with "{text}"' if text is not None else "")
    _not_in_sieve(result, wanted)
    if said is None:
        hint = ""
        if not result.system and result.error is not None and f'"{command}" is disabled' in result.error.text:
            hint = f" (Exim allows {command} only in system filters: test it as one, with -bF)"
        _fail(result, wanted, f"it does not ({_outcome(result)}){hint}")
    elif text is not None and not appears_in(text, said):
        _fail(result, wanted, f'its text is "{said}"')
    return result


def _require_actions(result: FilterResult, wanted: str) -> None:
    """A Sieve result without its -v trace cannot tell what the filter did."""
    if result.kind == "sieve" and not result.actions_shown:
        _fail(
            result,
            wanted,
            "Exim printed no Sieve actions: without -v, exim -bf shows only whether the "
            "implicit keep holds, so this cannot be seen",
        )


def _not_in_sieve(result: FilterResult, wanted: str) -> None:
    if result.kind == "sieve":
        _fail(result, wanted, f"it is a Sieve filter, and {_NOT_SIEVE}, so this cannot happen")


def _listed(verb: str, items: tuple[str, ...] | list[str]) -> str:
    return f"it {verb} {', '.join(items)}" if items else f"it {verb} nothing"


def _outcome(result: FilterResult) -> str:
    """What the filter did, in words, for a failure message."""
    if result.error is not None:
        line = f" (line {result.error.line})" if result.error.line is not None else ""
        return f"Exim reported an error{line}: {result.error.text}"
    for what, said in (("fails", result.failed), ("freezes", result.frozen), ("defers", result.deferred)):
        if said is not None:
            return f'it {what} the message: "{said}"'
    actions = (("delivers to", result.deliveries), ("saves to", result.saves), ("pipes to", result.pipes))
    done = [_listed(verb, items) for verb, items in actions if items]
    if result.normal_delivery:
        done.append("normal delivery occurs")
    return "; ".join(done) if done else "it discards the message"


def _fail(result: FilterResult, wanted: str, actual: str) -> NoReturn:
    raise answer_failure(f"Expected {result.name} {wanted}, but {actual}.", result)
