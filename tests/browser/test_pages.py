"""The HTML reports in a real browser: headless Chromium at phone and desktop widths, and printed.

For the compliance page (all customers, and one customer's) and the uptime page, at
390 px (a phone) and 1280 px (a desktop), the tests assert: the page is no wider
than the window, every chart is visible and inside it, nothing was logged as an
error, and nothing was loaded from anywhere but the file itself. Printed (CSS
``@page`` A4), the page fits the printable width and the PDF's pages are A4.

Screenshots and PDFs are saved under ``test-artifacts/screenshots/`` (git-ignored;
CI keeps them as artifacts). Without Chromium the tests are skipped, saying so;
``.ci/run`` installs Debian's ``chromium`` so CI always runs them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slaclock import ComplianceReport, Policy, parse_period, read_tickets
from slaclock.config import load_calendars
from slaclock.reports.uptime import availability, read_outages

from .chromium import Browser, find_chromium

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)

#: A4 is 210 mm wide; the templates' @page margins are 12 mm each side: 186 mm at 96 px/in.
A4_PRINTABLE_PX = 186 / 25.4 * 96
WIDTHS = {"phone": 390, "desktop": 1280}

BINARY = find_chromium()
pytestmark = pytest.mark.skipif(
    BINARY is None,
    reason="Chromium is not installed (apt-get install chromium); .ci/run installs it in CI",
)


def _pages() -> dict[str, str]:
    policy = Policy.load(DATA / "desk_policy.toml")
    tickets = read_tickets(DATA / "october_2026_tickets.jsonl")
    october = parse_period("2026-10", "Europe/London")
    everyone = ComplianceReport.build(policy, tickets, october, NOW, goal=95, worst=8)
    one = ComplianceReport.build(policy, tickets, october, NOW, goal=95, worst=5, customer="globex")
    by_customer = ComplianceReport.build(
        policy, tickets, october, NOW, by=["customer", "tier"], goal=90, worst=3
    )
    calendars = load_calendars(DATA / "msp" / "calendars.toml")
    uptime = availability(
        read_outages(DATA / "msp" / "outages.csv"),
        october,
        calendars["round_the_clock"],
        exclude=calendars["maintenance"],
        calendar_name="round_the_clock",
        excluded_names=["maintenance"],
        goal=99.9,
    )
    # The MSP's contracts price their misses: the pages' service-credit tables.
    contracts = Policy.load(DATA / "msp" / "policies.toml")
    priced = ComplianceReport.build(
        contracts, read_tickets(DATA / "msp" / "tickets.jsonl"), october, NOW, by=["customer"]
    )
    priced_uptime = availability(
        read_outages(DATA / "msp" / "outages.csv"),
        october,
        calendars["new_york"],
        calendar_name="new_york",
        policy=contracts,
    )
    assert priced.credits
    assert priced_uptime.credits
    return {
        "compliance": everyone.to_html(contact="Service desk: desk@example.com, 0161 496 0000"),
        "compliance-globex": one.to_html(),
        "compliance-by-customer": by_customer.to_html(),
        "uptime": uptime.to_html(),
        "compliance-credits": priced.to_html(),
        "uptime-credits": priced_uptime.to_html(),
    }


@pytest.fixture(scope="module")
def pages() -> dict[str, Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in _pages().items():
        path = ARTIFACTS / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert BINARY is not None
    driver = Browser(BINARY)
    try:
        yield driver
    finally:
        driver.close()


_LAYOUT = """
((width) => {
  const charts = [...document.querySelectorAll('svg')].map(svg => {
    const box = svg.getBoundingClientRect();
    const style = getComputedStyle(svg);
    return {width: box.width, height: box.height, left: box.left, right: box.right,
            shown: style.display !== 'none' && style.visibility !== 'hidden'};
  });
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5).map(el => el.tagName + '.' + el.className + ': ' + el.textContent.slice(0, 40));
  // Text that runs out of its box past the window's edge (clipped on a phone).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || box.left < -0.5)) {
      wide.push('text: ' + node.textContent.trim().slice(0, 40));
    }
  }
  return {width, scroll: document.documentElement.scrollWidth, charts, wide,
          body: document.body.scrollWidth};
})(WIDTH)
"""


def layout(browser: Browser, width: int) -> dict[str, Any]:
    """Return the page's layout measured against ``width``, the window's width in CSS pixels.

    Not ``window.innerWidth``: a phone's layout viewport grows to fit content that
    overflows, which would hide the very overflow the tests look for.
    """
    result: dict[str, Any] = browser.evaluate(_LAYOUT.replace("WIDTH", str(width)))
    return result


@pytest.mark.parametrize("width_name", list(WIDTHS))
@pytest.mark.parametrize(
    "page",
    [
        "compliance",
        "compliance-globex",
        "compliance-by-customer",
        "uptime",
        "compliance-credits",
        "uptime-credits",
    ],
)
def test_page_fits_and_shows_every_chart(
    browser: Browser, pages: dict[str, Path], page: str, width_name: str
) -> None:
    width = WIDTHS[width_name]
    browser.open(pages[page], width, mobile=width_name == "phone")
    measured = layout(browser, width)
    assert measured["scroll"] <= width, f"wider than the window: {measured['wide']}"
    assert measured["wide"] == []
    assert measured["charts"], "the page has no chart"
    for chart in measured["charts"]:
        assert chart["shown"]
        assert chart["width"] >= 100, chart
        assert chart["height"] >= 10, chart
        assert chart["left"] >= 0, chart
        assert chart["right"] <= width + 0.5, chart
    assert browser.problems() == []
    assert browser.requests() == [pages[page].resolve().as_uri()]
    browser.screenshot(ARTIFACTS / f"{page}-{width_name}.png")
    if width_name == "phone":  # what a phone shows first, at a size people can look at
        browser.screenshot(ARTIFACTS / f"{page}-{width_name}-first-screen.png", full=False)


@pytest.mark.parametrize("page", ["compliance", "uptime", "compliance-credits"])
def test_print_layout_fits_a4(browser: Browser, pages: dict[str, Path], page: str) -> None:
    width = int(A4_PRINTABLE_PX)
    browser.open(pages[page], width)
    browser.call("Emulation.setEmulatedMedia", session=True, media="print")
    measured = layout(browser, width)
    assert measured["scroll"] <= width, f"wider than A4: {measured['wide']}"
    assert measured["wide"] == []
    for chart in measured["charts"]:
        assert chart["width"] > 0, chart
        assert chart["right"] <= width + 0.5, chart
    pdf = browser.print_pdf(ARTIFACTS / f"{page}-a4.pdf")
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "the PDF names no page size"
    # A month's report is a short document to attach to an email, not a ream.
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 1 <= pages <= 3, pages
    for width, height in boxes:
        # A4 is 595.28 x 841.89 points.
        assert abs(float(width) - 595.28) < 1.5
        assert abs(float(height) - 841.89) < 1.5
    assert browser.problems() == []
