"""The build and the configuration's validity (`exim -bV`): version, features,
lookups, drivers; parsed, asked of Exim, and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ConfigAssertionError, EximConfigError, InvalidInputError, UnexpectedOutputError
from ..exim.diagnosis import startup_error
from ..exim.options import EximOptions
from .run import run_exim, shown

__all__ = [
    "EximBuild",
    "KINDS",
    "parse_build",
    "version_key",
    "build",
    "check",
    "assert_valid",
    "assert_supports",
    "assert_does_not_support",
    "assert_version_at_least",
    "assert_version",
]

_VERSION = re.compile(r"^Exim version (?P<version>\S+)")
#: -bV's list lines, by the name eximunit gives each kind of capability.
_KINDS = {
    "Support for": "feature",
    "Lookups (built-in)": "lookup",
    "Lookups (dynamic)": "lookup",
    "Authenticators": "authenticator",
    "Routers": "router",
    "Transports": "transport",
    "Malware": "malware scanner",
}
KINDS = tuple(dict.fromkeys(_KINDS.values()))


@dataclass(frozen=True)
class EximBuild:
    """The parsed `exim -bV`: `version` ("4.96") and, by kind (feature, lookup,
    authenticator, router, transport, malware scanner), what this binary has."""

    version: str
    capabilities: dict[str, tuple[str, ...]]
    output: str = field(default="", compare=False)

    def supports(self, name: str, kind: str | None = None) -> bool:
        """True if the build lists `name` (case-insensitive), among `kind` if given.

        Transports count their variants: appendfile/maildir lists maildir too.
        """
        return bool(self.kinds_of(name, kind))

    def kinds_of(self, name: str, kind: str | None = None) -> list[str]:
        """The kinds under which `name` is listed (usually one, or none)."""
        if kind is not None and kind not in KINDS:
            raise InvalidInputError(f"{kind!r} is not a kind of capability; use one of: {', '.join(KINDS)}.")
        wanted = name.strip().lower()
        return [
            each
            for each, names in self.capabilities.items()
            if (kind is None or each == kind) and wanted in (n.lower() for n in names)
        ]

    def version_at_least(self, version: str) -> bool:
        return version_key(self.version) >= version_key(version)


def version_key(version: str) -> tuple[int, ...]:
    """`4.97.1` as (4, 97, 1); a suffix such as -RC2 or #2 is ignored."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    if not match:
        raise InvalidInputError(f"{version!r} is not a version number; write it as 4.96 or 4.97.1.")
    numbers = [int(part) for part in match.group().split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()  # so that 5.0 and 5 compare equal
    return tuple(numbers)


def parse_build(output: str) -> EximBuild:
    """Parse `exim -bV` output."""
    version = None
    capabilities: dict[str, tuple[str, ...]] = {kind: () for kind in KINDS}
    for line in output.splitlines():
        if match := _VERSION.match(line):
            version = match.group("version")
            continue
        label, colon, rest = line.partition(":")
        kind = _KINDS.get(label.strip())
        if colon and kind:
            names = [part for word in rest.split() for part in word.split("/")]
            capabilities[kind] += tuple(names)
    if version is None:
        raise UnexpectedOutputError(f"exim -bV printed no 'Exim version' line: {output[:200]!r}")
    return EximBuild(version, capabilities, output)


def build(options: EximOptions) -> EximBuild:
    """`exim -bV`: version, features, lookups, drivers. Needs a valid configuration."""
    return parse_build(run_exim(options, "-bV").stdout)


def check(options: EximOptions) -> None:
    """Raise EximConfigError (with Exim's words and the line) unless Exim accepts the
    configuration."""
    run = run_exim(options, "-bV")
    if run.status != 0:  # -bV prints the build first, whatever follows
        error = startup_error(run.stderr.splitlines(), list(run.argv), before="it read the configuration")
        raise error if isinstance(error, EximConfigError) else EximConfigError(str(error))


def assert_valid(options: EximOptions) -> None:
    """Exim accepts the configuration (`exim -bV` succeeds)."""
    try:
        check(options)
    except EximConfigError as error:
        raise ConfigAssertionError(f"Expected the configuration to be valid, but {error}") from None


def assert_supports(build: EximBuild, name: str, kind: str | None = None) -> EximBuild:
    """The build has `name` (a feature such as DKIM, a lookup, a router, ...)."""
    if not build.supports(name, kind):
        raise ConfigAssertionError(
            f"Expected Exim to support {_capability(name, kind)}, but this build does not.\n"
            + _build_summary(build, kind)
        )
    return build


def assert_does_not_support(build: EximBuild, name: str, kind: str | None = None) -> EximBuild:
    if build.supports(name, kind):
        kinds = ", ".join(build.kinds_of(name, kind))
        raise ConfigAssertionError(
            f"Expected Exim not to support {_capability(name, kind)}, but this build lists it "
            f"({kinds}).\n" + _build_summary(build, kind)
        )
    return build


def assert_version_at_least(build: EximBuild, version: str) -> EximBuild:
    if not build.version_at_least(version):
        raise ConfigAssertionError(
            f"Expected Exim {version} or later, but this is Exim {build.version}.\n" + _version_line(build)
        )
    return build


def assert_version(build: EximBuild, version: str) -> EximBuild:
    """Exim is exactly `version` (4.96 is not 4.96.1)."""
    if build.version != version.strip():
        raise ConfigAssertionError(
            f"Expected Exim {version.strip()}, but this is Exim {build.version}.\n" + _version_line(build)
        )
    return build


def _version_line(build: EximBuild) -> str:
    """The line of `exim -bV` that names the version, as a failure message shows it."""
    return shown("exim -bV", build.output.splitlines()[0] if build.output else "")


def _capability(name: str, kind: str | None) -> str:
    return f'the {kind} "{name}"' if kind else f'"{name}"'


def _build_summary(build: EximBuild, kind: str | None) -> str:
    kinds = [kind] if kind else list(KINDS)
    lines = [f"Exim {build.version} has:"] + [
        f"  {each}s: {' '.join(build.capabilities[each]) or '(none)'}" for each in kinds
    ]
    return "\n".join(lines)
