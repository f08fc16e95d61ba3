"""Personal API tokens for GIS tools."""
from flask import Blueprint

bp = Blueprint("api_tokens", __name__)
