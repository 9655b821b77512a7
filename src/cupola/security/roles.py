"""Role and permission names shared by security, workflow and views."""

ANONYMOUS = "Anonymous"
AUTHENTICATED = "Authenticated"
MEMBER = "Member"
CONTRIBUTOR = "Contributor"
EDITOR = "Editor"
REVIEWER = "Reviewer"
SITE_ADMINISTRATOR = "Site Administrator"
MANAGER = "Manager"
OWNER = "Owner"  # local only: given to the creator of an object

GLOBAL_ROLES = (MEMBER, CONTRIBUTOR, EDITOR, REVIEWER, SITE_ADMINISTRATOR, MANAGER)
LOCAL_ROLES = (OWNER, CONTRIBUTOR, EDITOR, REVIEWER)
AUTOMATIC_ROLES = (ANONYMOUS, AUTHENTICATED)

# permissions (dotted names; titles in cupola.security.PERMISSIONS)
PUBLIC = "cupola.Public"
VIEW = "cupola.View"
SIGNED_IN = "cupola.SignedIn"  # any signed-in user: own account, tokens
MODIFY = "cupola.ModifyContent"
ADD = "cupola.AddContent"
ADD_FOLDER = "cupola.AddFolder"
ADD_DOCUMENT = "cupola.AddDocument"
ADD_FILE = "cupola.AddFile"
DELETE = "cupola.DeleteObjects"
REQUEST_REVIEW = "cupola.RequestReview"
REVIEW = "cupola.ReviewContent"
ACCESS_INACTIVE = "cupola.AccessInactive"
VIEW_HISTORY = "cupola.ViewHistory"
MANAGE_USERS = "cupola.ManageUsers"
MANAGE_SITE = "cupola.ManageSite"
MANAGE_LOCAL_ROLES = "cupola.ManageLocalRoles"
MANAGE_ADDONS = "cupola.ManageAddons"
