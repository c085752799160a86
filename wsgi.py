"""Entry point for any WSGI server: ``gunicorn wsgi:app``."""
from catalogue import create_app

app = create_app()
