"""OGC API - Features for GIS tools (QGIS, GDAL's OAPIF driver)."""
from flask import Blueprint

bp = Blueprint("ogc", __name__, url_prefix="/ogc")
