"""Home-care visits: the staff app's events in, visits, deviations, approvals and absences out."""
from chalice import Chalice

from services.entrypoints.http import HttpApi

app = Chalice(app_name="insats-visits", configure_logs=False)
api = HttpApi(app, "visits")


@app.route("/health")
def health():
    return api.health()


@app.route("/openapi.json")
def openapi():
    return api.openapi("Insats home-care visits")
