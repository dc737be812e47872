"""A test-only step: keeps a scenario busy so that a test can interrupt it."""

import time

from behave import when


@when("the test waits {seconds:d} seconds")
def step_wait(context, seconds):
    """Sleep with the scenario's Exim session open.

    Example: When the test waits 30 seconds
    """
    time.sleep(seconds)
