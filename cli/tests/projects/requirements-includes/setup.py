from setuptools import setup
setup(name="app", version="1.0")
