"""gunicorn's settings for popup, read from the working directory (the command line wins).

``gunicorn -w 4 -b 127.0.0.1:8000 app:app`` from the repository root serves
with these. Threaded workers keep connections alive: with the default sync
workers every request paid a new TCP connection, which cost more than the
database query of ``/api/v1/units`` (bench/RESULTS.md). Threads also let a
worker answer while another request waits on PostgreSQL.
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5  # seconds an idle connection stays open
