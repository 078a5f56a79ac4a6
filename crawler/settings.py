"""Scrapy settings for scs-tracker.

Per-source politeness (User-Agent, robots.txt, delay) comes from each source file
through the generated spider's `custom_settings` (see `crawler.spiders.sources`).
`SCS_MIRROR_URL` (or the environment variable of the same name) sends every
request to the offline mirror instead of the real sites.
"""

BOT_NAME = "scs-tracker"
SPIDER_MODULES = ["crawler.spiders.sources"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "scs-tracker/0.1 (+https://github.com/scs-tracker/scs-tracker)"
ROBOTSTXT_OBEY = True

DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
SCS_RETRY_BASE_DELAY = 2.0  # seconds before the first retry, doubled for each next one ...
SCS_RETRY_MAX_DELAY = 60.0  # ... up to this
SCS_RETRY_JITTER = 0.5  # up to this share of a backoff delay is taken off at random
SCS_RETRY_AFTER_MAX = 120.0  # a Retry-After longer than this is not waited for: the page is recorded as failed
# A notice page is well under 1 MB; a 50 MB response is a fault (or a trap), cancelled, recorded as failed.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Attachments (crawler/attachments.py): fetched after their notice, each download cancelled past this size.
SPIDER_MIDDLEWARES = {"crawler.attachments.AttachmentFetchMiddleware": 950}
SCS_FETCH_ATTACHMENTS = True
SCS_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Thin adapters over pure functions (pipelines/stages.py): normalise -> dates -> classify -> store, run by one
# pipeline in a worker process so our CPU work overlaps Scrapy's (pipelines/offload.py; False runs them inline).
ITEM_PIPELINES = {"pipelines.offload.StagesPipeline": 100}
SCS_PIPELINE_WORKER = True

DOWNLOADER_MIDDLEWARES = {
    # Backoff and Retry-After instead of Scrapy's immediate retries (crawler/retry.py).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetryMiddleware": 550,
    # Above the retries: an https request whose TLS handshake fails goes over http once (crawler/httpfallback.py).
    "crawler.httpfallback.HttpFallbackMiddleware": 560,
    # Sees 3xx responses before RedirectMiddleware (600): a loop A→B→A is recorded, not dropped as a duplicate.
    "crawler.redirectloop.RedirectLoopMiddleware": 650,
    # Then: no redirect to loopback, private, link-local or non-http(s) addresses (crawler/redirectpolicy.py).
    "crawler.redirectpolicy.RedirectPolicyMiddleware": 640,
    # Last before the download handler: robots.txt, User-Agent, cookies ... see the real URL first.
    "crawler.middlewares.MirrorMiddleware": 950,
}
SCS_MIRROR_URL = ""

# Each crawl process would take a telnet port from 6023-6073: two dozen workers on one host exhaust them, and
# nothing here uses the console.
TELNETCONSOLE_ENABLED = False

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
