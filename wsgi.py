"""Entry point for any WSGI server: ``gunicorn wsgi:app``."""
from catalogue import create_app

app = create_app()
app.extensions["vitrine"].serve()  # a serving process: tiles a killed writer left undone are withdrawn first
