"""Boundary changes for one community: upload, compare on the map, apply or cancel."""
from flask import Blueprint

bp = Blueprint("boundary_changes", __name__)
