"""The site header with many top-level items: the navigation gets a row of
its own on wide screens, long titles are cut, the search box keeps its width."""

import pytest

from browser.conftest import DESKTOP, serve
from conftest import Site, build_app, publish

pytestmark = pytest.mark.browser

TITLES = ["The new harbour bridge opens in spring", "Harbour master's report on winter storms",
          "A walk along the old harbour wall", "Bridge design competition results",
          "City council notes on the bridge budget"]


@pytest.fixture(scope="module")
def crowded_site():
    from cupola.content.document import Document
    app = build_app()
    with Site(app) as site:
        for n, title in enumerate(TITLES):
            publish(site.add(f"page-{n}", Document(title, "", "<p>Text.</p>")))
    with serve(app) as url:
        yield url


def test_many_items_take_a_row_of_their_own_and_leave_the_search_box_whole(
        chromium_browser, crowded_site):
    context = chromium_browser.new_context(base_url=crowded_site, **DESKTOP)
    try:
        page = context.new_page()
        page.goto("/")
        links = page.locator("nav.site-nav a")
        assert links.count() == len(TITLES) + 3  # and About, Welcome, News
        search = page.locator("#header-q").bounding_box()
        brand = page.locator(".brand").bounding_box()
        assert search["width"] >= 150
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(tops) <= 2  # rows, not a column of eight
        assert min(tops) > brand["y"] + brand["height"] - 1  # below the brand row
        first = links.filter(has_text="The new harbour").first
        assert first.get_attribute("title") == TITLES[0]
        assert first.bounding_box()["width"] <= 16 * 16  # cut with an ellipsis
    finally:
        context.close()
