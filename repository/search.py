"""Search text that ignores Vietnamese diacritics and case ("toan lop 6" finds "Toán lớp 6").

The same `normalise` runs on the stored `Publication.search_text` and on the query, so a
search is a plain substring match on ASCII-folded lower-case text: on PostgreSQL a LIKE that
the trigram GIN index (migration 0003) serves, on SQLite a scan that still gives the same rows.
"""

from __future__ import annotations

import re

from elearning.text import fold

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """The Vietnamese fold (elearning.text), white space collapsed."""
    return _SPACES.sub(" ", fold(text)).strip()


def query_words(query: str | None, limit: int = 8) -> list[str]:
    """The words of a search box, normalised; at most `limit` of them."""
    return [w for w in normalise(query).split(" ") if w][:limit]


def lecture_search_text(lecture) -> str:
    """Everything a teacher may type to find a lecture: lesson/topic, subject, grade, keywords,
    description, textbook series, author and school."""
    parts = [
        lecture.title,
        lecture.subject.name if lecture.subject_id else "",
        f"lớp {lecture.grade}",
        lecture.keywords,
        lecture.description,
        lecture.textbook_series.name if lecture.textbook_series_id else "",
        lecture.author.full_name if lecture.author_id else "",
        lecture.school.name if lecture.school_id else "",
    ]
    return normalise(" | ".join(p for p in parts if p))
