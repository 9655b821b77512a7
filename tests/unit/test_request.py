"""The request's virtual root and the cookie paths below a prefix."""

import pytest

from cupola.exceptions import NotFound
from cupola.request import VIRTUAL_ROOT, Request, scope_cookies


@pytest.mark.parametrize("prefix, before, after", [
    ("/cms", "s=1; Path=/; HttpOnly", "s=1; Path=/cms; HttpOnly"),
    ("/cms", "s=; Max-Age=0; Path=/", "s=; Max-Age=0; Path=/cms"),
    ("/cms/", "s=1; Path=/", "s=1; Path=/cms"),
    ("/cms", "s=1; Path=/other; HttpOnly", "s=1; Path=/other; HttpOnly"),
    ("/a b", "s=1; path=/", "s=1; Path=/a%20b"),
    ("/", "s=1; Path=/", "s=1; Path=/"),
])
def test_scope_cookies(prefix, before, after):
    headers = [("Content-Type", "text/html"), ("Set-Cookie", before)]
    scope_cookies(headers, prefix)
    assert headers == [("Content-Type", "text/html"), ("Set-Cookie", after)]


def test_other_headers_are_left_alone():
    headers = [("Link", "</x>; Path=/")]
    scope_cookies(headers, "/cms")
    assert headers == [("Link", "</x>; Path=/")]


class TestVirtualRoot:
    def make_site(self):
        from cupola.content.folder import Folder
        from cupola.content.folder import Site
        site = Site()
        site["press"] = Folder("Press")
        site["press"]["room"] = Folder("Room")
        return site

    def request(self, site, names=None):
        request = Request.blank("/")
        request.site = site
        if names is not None:
            request.environ[VIRTUAL_ROOT] = names
        return request

    def test_without_one_it_is_the_site(self):
        site = self.make_site()
        request = self.request(site)
        assert request.virtual_root() is site and request.virtual_root_path == ""

    def test_a_nested_folder(self):
        site = self.make_site()
        request = self.request(site, ("press", "room"))
        assert request.virtual_root() is site["press"]["room"]
        assert request.virtual_root_path == "/press/room"

    def test_a_missing_folder_is_not_found(self):
        request = self.request(self.make_site(), ("gone",))
        with pytest.raises(NotFound):
            request.virtual_root()

    def test_rewind_forgets_it(self):
        site = self.make_site()
        request = self.request(site, ("press",))
        assert request.virtual_root() is site["press"]
        request.rewind()
        request.site = site
        assert request.virtual_root() is site["press"]
        assert request.environ[VIRTUAL_ROOT] == ("press",)  # kept for the replay
