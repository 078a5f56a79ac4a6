"""The public feed: a static site of approved items, with RSS 2.0, Atom and JSON Feed files."""

from publisher.site import PublishError, publish

__all__ = ["PublishError", "publish"]
