"""The one thing pyproject.toml cannot say: templates/ (kept at the top of the repo) ships inside the package.

The wheel maps the folder in as ``catalogue/templates``; a source checkout reads it where it is
(catalogue/config.py, TEMPLATES).
"""
from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["catalogue", "catalogue.*"]), "catalogue.templates"],
    package_dir={"catalogue.templates": "templates"},
)
