"""The public pages in headless Chromium: styled, usable on a phone, sign in and out."""

import pytest
from playwright.sync_api import expect

from browser.conftest import DESKTOP, PHONE
from conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser

PHONE_WIDTH = PHONE["viewport"]["width"]


def css(locator, prop):
    return locator.evaluate("(el, p) => getComputedStyle(el).getPropertyValue(p)", prop)


def problems(page):
    """Resources that failed to load and what the CSP blocked."""
    return page.failed_resources + [
        m for m in page.console_messages if "Content Security Policy" in m]


class TestLook:
    def test_home_page_has_the_stylesheet_applied(self, open_page):
        page, response = open_page("/")
        assert response.status == 200
        font = css(page.locator("body"), "font-family")
        assert "system-ui" in font
        assert not font.lower().startswith(("serif", '"times', "times"))
        header = page.locator("header.site-header")
        assert css(header, "border-bottom-width") != "0px"
        assert css(header, "display") == "block"
        # The brand mark is an icon-sized svg, not a page-filling one.
        mark = page.locator(".brand-mark").bounding_box()
        assert 24 <= mark["width"] <= 40 and 24 <= mark["height"] <= 40
        # Folder listings are a grid of cards.
        assert css(page.locator("ul.cards"), "display") == "grid"
        assert problems(page) == []

    @pytest.mark.parametrize("path", ["/", "/welcome", "/about", "/about/team",
                                      "/news", "/@@login", "/no-such-page"])
    def test_no_horizontal_scroll_on_a_phone(self, open_page, path):
        page, _ = open_page(path, PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{path} is {width}px wide at {PHONE_WIDTH}px"
        assert problems(page) == []

    def test_prose_keeps_a_readable_measure_on_desktop(self, open_page):
        page, _ = open_page("/welcome")
        prose = page.locator(".prose").bounding_box()
        assert prose["width"] < 900  # about 70 characters, not the full 1280 px

    def test_folder_listing_is_paginated_with_large_targets(self, open_page):
        page, _ = open_page("/news", PHONE)
        pagination = page.locator("nav.pagination")
        expect(pagination).to_be_visible()
        for box in (pagination.locator("a, [aria-current]").evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().toJSON())")):
            assert box["height"] >= 44 and box["width"] >= 44


class TestPhoneNavigation:
    def test_toggle_reveals_the_navigation(self, open_page):
        page, _ = open_page("/welcome", PHONE)
        nav = page.locator("nav.site-nav")
        link = nav.get_by_role("link", name="News")
        toggle = page.locator("label.nav-toggle-label")
        expect(toggle).to_be_visible()
        expect(link).to_be_hidden()
        box = toggle.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        toggle.tap()
        expect(link).to_be_visible()
        expect(nav.get_by_role("link", name="About")).to_be_visible()
        toggle.tap()
        expect(link).to_be_hidden()

    def test_links_follow_from_the_opened_menu(self, open_page):
        page, _ = open_page("/", PHONE)
        page.locator("label.nav-toggle-label").tap()
        page.locator("nav.site-nav").get_by_role("link", name="News").tap()
        expect(page.get_by_role("heading", level=1)).to_have_text("News")

    def test_desktop_shows_the_links_without_a_toggle(self, open_page):
        page, _ = open_page("/welcome", DESKTOP)
        expect(page.locator("label.nav-toggle-label")).to_be_hidden()
        expect(page.locator("nav.site-nav").get_by_role("link", name="News")).to_be_visible()


class TestErrorPage:
    @pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
    def test_404_page(self, open_page, device):
        page, response = open_page("/no-such-page", device)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator(".error-code")).to_have_text("404")
        expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()


class TestSignInAndOut:
    @pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
    def test_sign_in_then_one_click_sign_out(self, open_page, live_server, device):
        page, _ = open_page("/about", device)
        page.locator(".user-menu").get_by_role("link", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

        page.get_by_label("Login").fill("admin")
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.locator("form.form").get_by_role("button", name="Sign in").click()

        # Back where we came from, with the user's name in the header.
        expect(page).to_have_url(f"{live_server}/about")
        user_menu = page.locator(".user-menu")
        expect(user_menu.locator(".user-name")).to_have_text("Site administrator")
        sign_out = user_menu.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= \
            page.viewport_size["width"]

        sign_out.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")
        expect(page.locator(".user-name")).to_have_count(0)
        expect(page.locator(".user-menu").get_by_role("link", name="Sign in")).to_be_visible()

        # The session is over, not just hidden on this page.
        page.goto("/welcome")
        expect(page.locator(".user-name")).to_have_count(0)

    def test_wrong_password_shows_an_error(self, open_page):
        page, _ = open_page("/@@login", PHONE)
        page.get_by_label("Login").fill("admin")
        page.get_by_label("Password").fill("not the password")
        page.locator("form.form").get_by_role("button", name="Sign in").click()
        expect(page.locator(".error-message")).to_be_visible()
        expect(page.locator(".user-name")).to_have_count(0)

    def test_login_form_has_touch_sized_controls(self, open_page):
        page, _ = open_page("/@@login", PHONE)
        for selector in ("#login", "#password", "form.form button"):
            box = page.locator(selector).bounding_box()
            assert box["height"] >= 44, selector
