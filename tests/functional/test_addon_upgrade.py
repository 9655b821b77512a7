"""A site whose Cupola data is behind the code serves reads, refuses
changes with a 503 that says to run the upgrade, and works again after it."""

from webtest import TestApp

from conftest import Site, build_app, csrf_from, sign_in


def reshape(site, registry):
    """Reshape Cupola's own data."""
    site.settings["reshaped"] = True


def newer_code(app):
    """The same database opened by code one core schema version ahead."""
    from cupola.publisher import Application
    from cupola.wsgi import configure
    config = configure(app.settings)
    config.add_upgrade_step("cupola", 1, 2, reshape)
    return Application(config.registry, app.db, app.settings)


def test_reads_are_served_and_changes_refused_until_upgraded():
    old = build_app()
    new = newer_code(old)
    browser = TestApp(new)
    assert browser.get("/welcome").status_int == 200
    sign_in(browser)  # signing in is allowed (upgrade_safe)
    form = browser.get("/welcome/@@edit")
    refused = browser.post("/welcome/@@edit", {"_csrf": csrf_from(form), "title": "Changed"},
                           status=503)
    assert "Upgrade needed" in refused.text
    assert "cupola upgrade" in refused.text
    with Site(new) as site:
        assert site["welcome"].title == "Welcome to Cupola"

    from cupola.addons.upgrades import run_upgrades
    assert [s.label for s in run_upgrades(new.db, new.registry)] == [
        "cupola 1 → 2: Reshape Cupola's own data."]
    form = browser.get("/welcome/@@edit")
    browser.post("/welcome/@@edit", {"_csrf": csrf_from(form), "title": "Changed"}, status=303)
    with Site(new) as site:
        assert site["welcome"].title == "Changed"
        assert site.settings["reshaped"] is True
        assert site.installed_versions["cupola"] == 2


def test_new_sites_start_at_the_current_version():
    app = newer_code(build_app())
    from cupola.db.bootstrap import bootstrap
    from cupola.db.storage import open_db
    db = open_db("memory://")
    bootstrap(db, admin_password="pw-pw-pw-pw", echo=None, registry=app.registry)
    from cupola.publisher import Application
    fresh = Application(app.registry, db, app.settings)
    with Site(fresh) as site:
        assert site.installed_versions == {"cupola": 2}


def test_start_up_warns_about_pending_steps(caplog):
    import logging
    from cupola.db.bootstrap import bootstrap
    old = build_app()
    new = newer_code(old)
    with caplog.at_level(logging.INFO, logger="cupola.upgrade"):
        bootstrap(new.db, echo=None, registry=new.registry)  # as make_app does at start
    warnings = [r for r in caplog.records if r.name == "cupola.upgrade"]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert warnings[0].getMessage() == (
        "1 upgrade step(s) pending (cupola 1 → 2: Reshape Cupola's own data.): run "
        "`cupola upgrade`; until then the site refuses changes")
