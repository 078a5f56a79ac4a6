"""The public feed: a static site of approved items, with RSS 2.0, Atom and JSON Feed files."""

from publisher.output import PublishError
from publisher.site import PublishResult, publish_site

__all__ = ["PublishError", "PublishResult", "publish_site"]
