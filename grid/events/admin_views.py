"""Administrators edit the category tree and the deadline policy."""
from flask import Blueprint

bp = Blueprint("events_admin", __name__)
