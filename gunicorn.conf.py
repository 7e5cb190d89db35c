"""How gunicorn serves mlopsscore. gunicorn reads this file from the directory it starts
in, so ``deploy/prod.sh``, ``deploy/start.sh`` (the image) and ``make bench`` serve
alike; a flag on the command line or in ``GUNICORN_CMD_ARGS`` still wins over it.

``WEB_WORKERS`` processes (one a core, at least 2) of ``WEB_THREADS`` threads (8). Most
of a request's time is spent waiting on the database, so a core needs several requests
in flight; threads give them with keep-alive, which the badges and the browsers use.
One request per process (``WEB_THREADS=1``, 4 processes a core, one connection each) was
measured against it on deadline day at 10,000 products and was no better, there or in
the throughput rows: the short requests' p95 under the mix is the cores' queue, not the
interpreter lock (docs/benchmarks.md, "Deadline day: who slows whom").
"""

import os

# The cores this process may run on (a container's cpuset), not the host's.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", str(max(2, _CORES or 1))))
threads = int(os.environ.get("WEB_THREADS", "8"))
if threads == 1:
    # One connection at a time: a worker busy with one request accepts no other, and no
    # kept-alive connection waits in it.
    worker_connections = 1
    keepalive = 0
