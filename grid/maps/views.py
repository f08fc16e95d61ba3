"""The map page, its layers and the grid side panel."""
from flask import Blueprint

bp = Blueprint("maps", __name__)
