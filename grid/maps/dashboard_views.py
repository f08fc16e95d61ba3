"""The street office's and community's dashboard."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)
