FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng poppler-utils libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput

RUN useradd --create-home app && mkdir -p /data/media && chown -R app /data
USER app
EXPOSE 8000
# gunicorn reads WEB_CONCURRENCY (processes) from the environment; 3 when unset.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "marketplace.wsgi:application", "--bind", "0.0.0.0:8000"]
