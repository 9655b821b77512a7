"""``@@account``: the signed-in user's own name, e-mail, password, API tokens.

Guarded by ``cupola.SignedIn``, which every signed-in user holds, so the
publisher sends Anonymous to the sign-in form. One URL takes several forms,
told apart by the hidden field ``form``: ``profile``, ``password``,
``sessions``, ``token`` (create) and ``revoke``.

Changing the password bumps the user's session version, which signs them
out everywhere; this browser gets a new session cookie so that it stays
signed in. A new API token is shown once, on the page that answers the
POST, and stored only as a hash.
"""

from cupola.admin.forms import AdminView, doom, login_redirect
from cupola.admin.users import EMAIL_RE
from cupola.interfaces import ISite
from cupola.security.audit import audit
from cupola.security.passwords import password_problems
from cupola.security.roles import SIGNED_IN
from cupola.security.session import COOKIE, MAX_AGE, make_session_cookie
from cupola.security.throttle import record_failure, record_success, wait_seconds
from cupola.security.tokens import create_token, revoke_token, user_tokens

PERMISSION = SIGNED_IN


class AccountView(AdminView):
    template = "account.pt"

    def get(self):
        user = self.user
        if user is None:  # only if SignedIn is granted more widely
            return login_redirect(self.request)
        return self.show(user)

    def show(self, user, values=None, errors=None):
        values = {"fullname": user.fullname, "email": user.email,
                  "token_title": "", **(values or {})}
        tokens = sorted(user_tokens(self.site, user.login),
                        key=lambda t: t.created, reverse=True)
        return self.render({"account": user, "values": values,
                            "errors": errors or {}, "tokens": tokens,
                            "roles": list(user.roles), "groups": list(user.groups)})

    def post(self):
        user = self.user
        if user is None:
            return login_redirect(self.request)
        action = {"profile": self.save_profile, "password": self.change_password,
                  "sessions": self.sign_out_elsewhere, "token": self.new_token,
                  "revoke": self.revoke}.get(self.form.get("form"))
        if action is None:
            return self.redirect(self.url("account"))
        return action(user)

    def invalid(self, user, values, errors):
        doom(self.request)
        return self.show(user, values, errors)

    # -- the forms --

    def save_profile(self, user):
        values = {"fullname": self.text("fullname"), "email": self.text("email", 254)}
        errors = {}
        if not values["fullname"]:
            errors["fullname"] = "Enter the name to show for you."
        if values["email"] and not EMAIL_RE.match(values["email"]):
            errors["email"] = "Enter an e-mail address like ann@example.org."
        if errors:
            return self.invalid(user, values, errors)
        changed = [f for f in ("fullname", "email") if getattr(user, f) != values[f]]
        if not changed:
            return self.redirect(self.url("account"), "Nothing to save: no field "
                                 "was changed.", "info")
        for field in changed:
            setattr(user, field, values[field])
        audit(self.request, "user.changed", target=user.login, changed=changed,
              **{f: values[f] for f in changed})
        return self.redirect(self.url("account"), "Saved your profile.")

    def change_password(self, user):
        request, form = self.request, self.form
        current, new = form.get("current") or "", form.get("password") or ""
        errors = {}
        wait = wait_seconds(request, user.login)
        if wait:
            errors["current"] = (f"Too many wrong passwords. Try again in "
                                 f"{wait} seconds.")
        elif not user.check_password(current):
            record_failure(request, user.login)
            audit(request, "password.change_refused", target=user.login)
            errors["current"] = "This is not your current password."
        problems = password_problems(new, user.login, user.fullname)
        if problems:
            errors["password"] = " ".join(problems)
        elif new != (form.get("password2") or ""):
            errors["password2"] = "The two passwords differ."
        if errors:
            if "current" in errors:  # keep the failure count: it is not in the DB
                return self.show(user, None, errors)
            return self.invalid(user, None, errors)
        record_success(request, user.login)
        user.set_password(new)  # a new session version: other browsers are out
        audit(request, "password.changed", target=user.login)
        return self.keep_signed_in(user, self.redirect(
            self.url("account"), "Changed your password. Other browsers and "
            "devices were signed out."))

    def sign_out_elsewhere(self, user):
        user.revoke_sessions()
        audit(self.request, "sessions.revoked", target=user.login)
        return self.keep_signed_in(user, self.redirect(
            self.url("account"), "Signed out every other browser and device."))

    def keep_signed_in(self, user, response):
        """Give this browser a cookie for the user's new session version."""
        request = self.request
        if request.environ.get("cupola.auth") == "session":
            response.set_cookie(
                COOKIE, make_session_cookie(self.site.settings["secret"], user),
                max_age=MAX_AGE, httponly=True, samesite="Lax", path="/",
                secure=request.scheme == "https")
        return response

    def new_token(self, user):
        title = self.text("token_title", 100) or "API token"
        token, secret = create_token(self.site, user, title)
        audit(self.request, "token.created", target=user.login,
              token=token.id, title=token.title)
        return self.render({"token": token, "secret": secret},
                           template="account_token.pt")

    def revoke(self, user):
        token_id = self.text("token", 50)
        title = next((t.title for t in user_tokens(self.site, user.login)
                      if t.id == token_id), None)
        try:
            revoke_token(self.site, token_id, login=user.login)
        except KeyError:
            return self.redirect(self.url("account"),
                                 "That token does not exist any more.", "error")
        audit(self.request, "token.revoked", target=user.login,
              token=token_id, title=title)
        return self.redirect(self.url("account"),
                             f"Revoked the token “{title}”. It no longer works.")


def includeme(config):
    config.add_view(AccountView, "account", context=ISite, permission=PERMISSION,
                    attr="get")
    config.add_view(AccountView, "account", context=ISite, permission=PERMISSION,
                    attr="post", request_method="POST")
