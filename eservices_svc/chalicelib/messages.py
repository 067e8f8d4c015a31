"""Routes: messages."""
from chalice import Blueprint

from services.entrypoints.http import HttpApi

bp = Blueprint(__name__)
api = HttpApi(bp, "eservices")
