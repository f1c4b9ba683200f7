"""Review data the demo city needs (called by `manage.py load_demo`). Idempotent."""

from .models import Criterion, Rubric
from .rubrics import rubric_ensure_default


def load_demo() -> None:
    # The rubric ships in a data migration; a flushed database (browser tests) gets it back here.
    rubric_ensure_default(Rubric, Criterion)
