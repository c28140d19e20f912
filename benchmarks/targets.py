"""The targets of issue 19, on a 2-core machine with 20 concurrent clients: ratios measured in
the same run (absolute times do not hold from one run to the next on a shared machine).

The *ceiling* is the profile page (logged in, one small query), the *bare* line a Django
view without middleware, database or template (benchmarks.bare) on the same stack."""

CLIENTS = 20
CEILING_OF_BARE = 0.10  # the ceiling's requests per second, of the bare view's
RATIO = 0.5  # every page's requests per second, of the ceiling's
RATIO_SEARCH = 0.3  # the directory search, with a product edited every second meanwhile
P95_RATIO = 3  # every page's p95 (and p50), of the ceiling's p95
P95_RATIO_SEARCH = 4  # the directory search's
ADMIN_P95_RATIO = 5  # every Django admin changelist and search
FIRST_VIEW_RATIO = 5  # one request after the data changed, nothing cached for it
EVALUATION_S = 3  # 5,000 bids x 20 items
SCHEDULER_S = 5  # 2,000 participants, 10,000 requests
OCDS_S_PER_10K = 19  # a third of the 58 s measured before issue 19
WEB_MEMORY_MIB = 300  # the largest gunicorn process
WORKER_MEMORY_MIB = 1024  # the largest Celery process
