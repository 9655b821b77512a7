"""cupola_blog: a blog with tags, archives, feeds and moderated comments,
as a Cupola add-on.

The map:

  content.py     the Blog folder and the BlogPost type
  events.py      a post's author and publication date
  indexes.py     the catalog indexes and column the lists are made from
  listings.py    front page, archive by year/month, tag pages (catalog queries)
  views.py       a post's page and its comment form (honeypot, rate limit)
  comments.py    comments stored in the post: adding, moderating, showing
  ratelimit.py   comments per client address in a sliding window
  moderation.py  the blog's moderation screen
  feeds.py       RSS 2.0 and Atom of a blog and of a tag
  scales.py      smaller copies of lead images
  transfer.py    comments in a JSON export and back on import
  skins/blog/    the templates and the stylesheet

The guide for users and operators is docs/blog.md.
"""

from pathlib import Path

from cupola_blog.content import Blog, BlogPost, IBlogPostSchema, IBlogSchema

HERE = Path(__file__).parent
ADD_POST = "cupola_blog.AddPost"
WRITERS = ("Contributor", "Editor", "Site Administrator", "Manager", "Owner")
MODERATORS = ("Editor", "Reviewer", "Site Administrator", "Manager", "Owner")


def install(site, registry):
    """Activation: nothing site-wide to make; blogs are added where wanted."""


def uninstall(site, registry):
    """Deactivation: the blogs, their posts and comments stay as they are."""


def includeme(config):
    config.add_addon("cupola_blog", title="Blog", version="1.0",
                     description="Blogs of posts with tags, archives, RSS and "
                                 "Atom feeds, and moderated comments.",
                     install=install, uninstall=uninstall, schema_version=1)
    config.add_permission(ADD_POST, "Add blog posts", roles=WRITERS)
    config.add_permission("cupola_blog.ModerateComments", "Moderate comments",
                          roles=MODERATORS)
    config.add_content_type(
        "Blog", Blog, IBlogSchema, title="Blog", add_permission=ADD_POST,
        allowed_children=("BlogPost", "Image"), addable_in=("Site", "Folder"),
        icon="folder", description="Posts, newest first, with tags, "
                                   "archives, feeds and comments.")
    config.add_content_type(
        "BlogPost", BlogPost, IBlogPostSchema, title="Blog post",
        add_permission=ADD_POST, allowed_children=(),
        description="A post of a blog: text, tags, lead image.")
    config.set_workflow("Blog", "simple_publication")
    config.set_workflow("BlogPost", "simple_publication")
    config.add_skin_layer("blog", HERE / "skins" / "blog")
    config.include("cupola_blog.indexes")
    config.include("cupola_blog.events")
    config.include("cupola_blog.listings")
    config.include("cupola_blog.views")
    config.include("cupola_blog.moderation")
    config.include("cupola_blog.feeds")
    config.include("cupola_blog.scales")
    config.include("cupola_blog.transfer")
