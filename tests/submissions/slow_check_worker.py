"""A Celery worker whose first file check hangs, so that a test can kill it midway.

Run as `python -m tests.submissions.slow_check_worker worker …`. The first run of a check writes
its process id to SLOW_CHECK_MARKER and sleeps; every later run checks normally.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings")

import django  # noqa: E402

django.setup()

from submissions import checks  # noqa: E402

_inspect_file = checks.inspect_file


def _hang_once(*args, **kwargs):
    try:
        fd = os.open(os.environ["SLOW_CHECK_MARKER"], os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return _inspect_file(*args, **kwargs)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    time.sleep(600)
    raise RuntimeError("should have been killed")


checks.inspect_file = _hang_once

if __name__ == "__main__":
    from elearning.celery import app

    app.worker_main(sys.argv[1:])
