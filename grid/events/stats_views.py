"""Numbers for supervisors (per unit and period), as an htmx fragment on unit pages."""
from flask import Blueprint

bp = Blueprint("events_stats", __name__)
