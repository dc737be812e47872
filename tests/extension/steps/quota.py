"""A suite's own fake peer and steps: a quota service that Exim asks with
${readsocket{inet:127.0.0.1:QUOTA_PORT}{ADDRESS\n}}, answering FULL or OK."""

from __future__ import annotations

import asyncio

from behave import given, then

from eximunit_bdd import FakePeerAssertionError, scenario_state
from eximunit_bdd.fakes import StreamFake


class FakeQuotaService(StreamFake):
    """Answers FULL for the mailboxes it was told are full, OK for the others."""

    kind = "quota service"

    def __init__(self, name: str, full: list[str], **options: float) -> None:
        super().__init__(name, **options)
        self.full = {address.lower() for address in full}
        self.asked: list[str] = []

    async def converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = (await reader.readline()).decode().strip().lower()
        self.asked.append(address)
        writer.write(b"FULL" if address in self.full else b"OK")


@given('a fake quota service "{name}" where <{address}> is full')
def step_quota_full(context, name: str, address: str) -> None:
    """Start a fake quota service; Exim finds it at the port in the macro NAME_PORT.

    Example: Given a fake quota service "quota" where <anna@test.example> is full
    """
    state = scenario_state(context)
    state.add_peer(FakeQuotaService(name, [address], timeout=state.options.timeout))


@then('the fake quota service "{name}" was asked about <{address}>')
def step_quota_asked(context, name: str, address: str) -> None:
    """Check that Exim asked the service about the address.

    Example: Then the fake quota service "quota" was asked about <anna@test.example>
    """
    service = scenario_state(context).peer(name)
    asked = service.asked if isinstance(service, FakeQuotaService) else []
    if address.lower() not in asked:
        message = f"Expected {name} to be asked about <{address}>; it was asked {asked}"
        raise FakePeerAssertionError(message, asked)
