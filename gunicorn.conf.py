"""gunicorn settings that hold wherever the app is served from its own folder (gunicorn reads
./gunicorn.conf.py by itself; `make run` also names it).

The access log, when one is kept (`make run` keeps one on the terminal), records the method,
the path without its query string, the status and the size: search words and filters travel in
query strings, and the Referer header would repeat the previous page's. No user agent either:
the log says what was asked, not who asked it with what. A password-reset link's token is left
out of its path (stalkerlog/access_log.py).
"""

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s'
logger_class = "stalkerlog.access_log.AccessLogger"
