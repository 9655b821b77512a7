"""CupolaError and its family: each HTTP error knows its status and title."""


class CupolaError(Exception):
    """Base of Cupola's own errors."""


class ConfigurationError(CupolaError):
    """Bad or conflicting configuration, found at start-up."""


class ConfigurationConflict(ConfigurationError):
    """Two registrations claim the same key."""

    def __init__(self, key, first, second):
        self.key, self.first, self.second = key, first, second
        super().__init__(
            f"conflicting registrations for {key!r}:\n  {first}\n  {second}")


class InvalidName(CupolaError, ValueError):
    """A name that cannot be used for content."""


class NotAllowedHere(CupolaError, ValueError):
    """A type that this container does not accept."""


class HTTPError(CupolaError):
    """An error that maps to an HTTP status and a page in the site's look."""

    status = 500
    title = "Server error"
    explanation = "Something went wrong on our side. The error was logged."

    def __init__(self, detail=None, headers=None):
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = dict(headers or {})


class BadRequest(HTTPError):
    status = 400
    title = "Bad request"
    explanation = "The request could not be understood."


class Unauthorized(HTTPError):
    status = 401
    title = "Please sign in"
    explanation = "You need to sign in to see this page."


class Forbidden(HTTPError):
    status = 403
    title = "Not allowed"
    explanation = "You are not allowed to see or do this."


class NotFound(HTTPError):
    status = 404
    title = "Page not found"
    explanation = "There is no page at this address. It may have moved."


class MethodNotAllowed(HTTPError):
    status = 405
    title = "Method not allowed"
    explanation = "This page does not accept that kind of request."

    def __init__(self, allowed, detail=None):
        allowed = sorted(set(allowed))
        super().__init__(detail, {"Allow": ", ".join(allowed)})
        self.allowed = allowed


class Conflict(HTTPError):
    status = 409
    title = "Conflict"
    explanation = "The change clashes with the current state of the site."


class RequestTooLarge(HTTPError):
    status = 413
    title = "Request too large"
    explanation = "What you sent is larger than this site accepts."


class URITooLong(HTTPError):
    status = 414
    title = "Address too long"
    explanation = "The address of this request is longer than allowed."


class RangeNotSatisfiable(HTTPError):
    status = 416
    title = "Range not satisfiable"
    explanation = "The requested part of the file does not exist."


class ServiceUnavailable(HTTPError):
    status = 503
    title = "Service unavailable"
    explanation = "The site cannot answer right now. Please try again."


class CommitOutcomeUnknown(ServiceUnavailable):
    explanation = ("The connection to the database was lost while saving. "
                   "Your change may or may not have been applied: check "
                   "before repeating it.")


class DiskFull(ServiceUnavailable):
    explanation = ("The server has run out of disk space, so your change was "
                   "not saved. Please try again later.")


class AddonError(CupolaError):
    """An add-on cannot be activated, deactivated or upgraded as asked."""


class UpgradeNeeded(ServiceUnavailable):
    title = "Upgrade needed"
    explanation = ("This site's data is older than the installed Cupola. "
                   "Reading works, but changes are refused until an "
                   "administrator runs `cupola upgrade` (or Upgrade on the "
                   "site's Add-ons screen).")
