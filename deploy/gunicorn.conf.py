"""gunicorn for the portal: `gunicorn -c deploy/gunicorn.conf.py reportportal.wsgi`.

Every value can be changed from the environment file (deploy/reportportal.env.example) without
editing this one. nginx in front buffers slow clients, so plain sync workers suffice.
"""

import gc
import multiprocessing
import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core plus one: pages wait on PostgreSQL about as long as they compute.
workers = int(os.getenv("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# Loaded once in the master: a server that cannot start (no static manifest, a missing setting)
# stops at once with the reason, instead of workers failing one after another; what every worker
# needs (jieba's dictionary, reportportal.startup.warm_up) is built once and shared by the forks.
preload_app = True
# No page takes long (long work is on the task queue); a stuck worker is replaced.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycled now and then, so a slow leak in a library never grows without bound.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Request line and headers bounded as nginx bounds them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Only the local nginx may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.getenv("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.getenv("GUNICORN_ACCESS_LOG", "-")
errorlog = os.getenv("GUNICORN_ERROR_LOG", "-")
# Paths only: query strings may hold names typed into filters.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
proc_name = os.getenv("GUNICORN_PROC_NAME", "reportportal")


def pre_fork(server, worker):
    # Everything the master loaded (preload_app: Django, the URL patterns, jieba's dictionary)
    # lives as long as the worker. Frozen before the fork, it is never walked again by the
    # cyclic collector in any worker (a few tenths of a millisecond a request), and a collection
    # no longer writes to the memory pages the workers share with the master.
    gc.collect()
    gc.freeze()
