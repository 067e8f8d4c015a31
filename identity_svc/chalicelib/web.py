"""Routes: the staff entry (``/personal``: login, role, start page, logout) and Insats' own
authorization server for the web's sections (``/identity/authorize``, ``/identity/token``,
discovery and keys). Views in ``services.entrypoints.web.personal``."""
from chalice import Blueprint

bp = Blueprint(__name__)
PAGES = True  # HTML pages (and the login's OAuth endpoints): not in the OpenAPI document
GET = ["GET"]
FORM_TYPES = ["application/x-www-form-urlencoded"]


def _page(name, module="views", **kw):  # the page cycle and its views load on the first page, not at a cold start
    import importlib

    from services.entrypoints.web.http import serve
    from services.entrypoints.web.personal.section import PERSONAL

    views = importlib.import_module(f"services.entrypoints.web.personal.{module}")
    return serve(PERSONAL, bp.current_request, getattr(views, name), **kw)


@bp.route("/", methods=GET)
def front():
    return _page("front")


@bp.route("/logga-in", methods=GET)
def login():
    return _page("login")


@bp.route("/logga-in/klar", methods=GET)
def login_done():
    return _page("login_done")


@bp.route("/valj-roll", methods=GET)
def role_choices():
    return _page("choose_role")


@bp.route("/valj-roll", methods=["POST"], content_types=FORM_TYPES)
def choose_role():
    return _page("choose_role")


@bp.route("/logga-ut", methods=GET)
def logout_page():
    return _page("logout_page")


@bp.route("/logga-ut", methods=["POST"], content_types=FORM_TYPES)
def logout():
    return _page("logout")


# -- the staff directory (Personalkonton), for its keepers --------------------------------------
@bp.route("/konton", methods=GET)
def accounts():
    return _page("account_list", "accounts")


@bp.route("/konton/nytt", methods=GET)
def new_account_form():
    return _page("new_account", "accounts")


@bp.route("/konton/nytt", methods=["POST"], content_types=FORM_TYPES)
def new_account():
    return _page("new_account", "accounts")


@bp.route("/konton/{account_id}", methods=GET)
def account(account_id):
    return _page("account", "accounts", account_id=account_id)


@bp.route("/konton/{account_id}/forlang", methods=["POST"], content_types=FORM_TYPES)
def extend_account(account_id):
    return _page("extend", "accounts", account_id=account_id)


@bp.route("/konton/{account_id}/roller", methods=["POST"], content_types=FORM_TYPES)
def change_roles(account_id):
    return _page("change_roles", "accounts", account_id=account_id)


@bp.route("/konton/{account_id}/avsluta", methods=GET)
def end_account_form(account_id):
    return _page("end", "accounts", account_id=account_id)


@bp.route("/konton/{account_id}/avsluta", methods=["POST"], content_types=FORM_TYPES)
def end_account(account_id):
    return _page("end", "accounts", account_id=account_id)


@bp.route("/authorize", methods=GET)
def authorize():
    return _page("authorize")


@bp.route("/token", methods=["POST"], content_types=FORM_TYPES)
def token():
    from services.entrypoints.web.personal.token import answer

    return answer(bp.current_request)


@bp.route("/revoke", methods=["POST"], content_types=FORM_TYPES)
def revoke():
    from services.entrypoints.web.personal.token import revoke

    return revoke(bp.current_request)


@bp.route("/logout", methods=GET)
def end_session():
    return _page("end_session")


@bp.route("/.well-known/jwks.json", methods=GET)
def jwks():
    from services.entrypoints.web.personal.token import jwks

    return jwks()


@bp.route("/web/static/{name}", methods=GET)
def static(name):
    from services.entrypoints.web.http import static_response

    return static_response(name)
