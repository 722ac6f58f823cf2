"""Village Clinic domain and storage. Pure Python: never imports Qt, requests or FastAPI."""

__version__ = "0.1.0"
