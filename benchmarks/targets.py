"""The targets of issue 8, on a 2-core machine with 20 concurrent clients."""

CLIENTS = 20
P95_MS = 100  # every page, at 20 concurrent clients
RATIO = 0.25  # of the ceiling page's requests per second
RATIO_SEARCH = 0.15  # the directory search
FIRST_VIEW_MS = 1000  # one request after the data changed, nothing cached for it
CEILING_FLOOR = 150  # req/s: below this the machine is too busy to measure anything
EVALUATION_S = 3  # 5,000 bids x 20 items
SCHEDULER_S = 5  # 2,000 participants, 10,000 requests
OCDS_S_PER_10K = 60
WEB_MEMORY_MIB = 300  # the largest gunicorn process
WORKER_MEMORY_MIB = 1024  # the largest Celery process
