# The production image: the app under gunicorn, static files served by whitenoise.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint needs Pango; fonts with Vietnamese glyphs for the minutes PDF; gettext for messages;
# LibreOffice (Impress, Writer) converts PPTX/DOCX to PDF for the preview in the worker.
# PyICU (Vietnamese collation) builds against libicu-dev with pkg-config and g++.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation gettext \
    libreoffice-impress libreoffice-writer fonts-liberation2 libicu-dev pkg-config g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && DEBUG=1 python manage.py compilemessages --ignore ".venv" \
 && DEBUG=1 STATIC_MANIFEST=1 python manage.py collectstatic --noinput
RUN useradd --create-home app && chown -R app /app
USER app
EXPOSE 8000
CMD ["gunicorn", "elearning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
