"""The reports of a behave run for people: the HTML page (`page`) and the behave
formatter that writes it (`formatter`). In behave.ini::

    [behave.formatters]
    html = eximunit_bdd.report:HtmlFormatter
"""

from .formatter import HtmlFormatter, feature_report

__all__ = ["HtmlFormatter", "feature_report"]
