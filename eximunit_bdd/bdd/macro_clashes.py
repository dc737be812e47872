"""Macro clashes Exim would not tell about: a fake peer's NAME_PORT that another peer
or a `Given the macro` already gives, and a configuration macro that is the start of
one (with `CLAMD = yes`, Exim reads `CLAMD_PORT` as `yes_PORT`, and `.ifdef CLAMD_PORT`
is true even in production). Either would give a green suite over a broken
configuration, so the Given step that makes one is refused."""

from __future__ import annotations

import dataclasses
from typing import Mapping

from ..errors import StepUsageError
from ..exim.options import EximOptions
from ..fakes.peer import FakePeer, port_macro
from ..oneshot.options import macro_names

__all__ = ["check_peer_macro", "check_given_macro"]


def check_peer_macro(
    peer: FakePeer, peers: Mapping[str, FakePeer], given: Mapping[str, str | None], options: EximOptions
) -> None:
    """Refuse `peer` if its macro clashes: with another peer's (a peer declared again
    under its own name replaces the first, which is no clash), with a `Given the macro`,
    or with a macro of the configuration that one is the start of."""
    other = peers.get(peer.macro)
    if other is not None and other.name != peer.name:
        raise StepUsageError(
            f'the fake {peer.kind} "{peer.name}" would reach Exim as the macro {peer.macro}, which the '
            f'fake {other.kind} "{other.name}" already is: give it another name '
            f"({_another_name(peer, options, peers)})."
        )
    if peer.macro in given and peer.macro not in peers:
        raise StepUsageError(
            f'the fake {peer.kind} "{peer.name}" would reach Exim as the macro {peer.macro}, which a '
            f'"Given the macro {peer.macro}" step of the scenario already sets: drop one of them.'
        )
    for macro in _configuration_macros(options, peers):
        if macro != peer.macro and (peer.macro.startswith(macro) or macro.startswith(peer.macro)):
            shorter, longer = sorted((macro, peer.macro), key=len)
            raise StepUsageError(
                f'the fake {peer.kind} "{peer.name}" would reach Exim as the macro {peer.macro}, but the '
                f"configuration defines the macro {macro}, and Exim substitutes {shorter} inside "
                f"{longer} (even in production, where `.ifdef {longer}` is then true): name the peer "
                f"otherwise ({_another_name(peer, options, peers)}), or rename the macro {macro}."
            )


def check_given_macro(name: str, peers: Mapping[str, FakePeer]) -> None:
    """Refuse a `Given the macro` that a fake peer of the scenario already sets."""
    peer = peers.get(name)
    if peer is not None:
        raise StepUsageError(
            f'the macro {name} carries the port of the fake {peer.kind} "{peer.name}": '
            "set another macro, or leave it to the peer."
        )


def _another_name(peer: FakePeer, options: EximOptions, peers: Mapping[str, FakePeer]) -> str:
    """A name whose macro clashes with nothing the configuration defines or a peer has."""
    defined = _configuration_macros(options, peers)
    for candidate in (f"fake-{peer.name}", f"{peer.name}-peer", f"{peer.name}2"):
        macro = port_macro(candidate)
        if macro not in peers and not any(macro.startswith(m) or m.startswith(macro) for m in defined):
            return f'"{candidate}", whose macro is {macro}'
    return "one that is not the start of a macro of the configuration"


def _configuration_macros(options: EximOptions, peers: Mapping[str, FakePeer]) -> tuple[str, ...]:
    """The macros the configuration defines with the scenario's own macros (the fake
    peers' ports left out: they are what is checked). One -bP a configuration, its
    version and those macros, however many peers are declared."""
    path = options.config_path()
    given = {name: value for name, value in options.macros.items() if name not in peers}
    key = (options.exim, path, path.stat().st_mtime_ns if path else 0, tuple(sorted(given.items())))
    if key not in _KNOWN:
        _KNOWN[key] = tuple(macro_names(dataclasses.replace(options, macros=given)))
    return _KNOWN[key]


_KNOWN: dict[tuple[object, ...], tuple[str, ...]] = {}
