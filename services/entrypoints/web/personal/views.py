"""The staff entry at ``/personal`` and Insats' authorization endpoint (``/identity/authorize``).

One login, by e-ID through the municipality's broker, for everyone: staff log in here; the
sections of the web (the citizens' e-services, case work, …) send a person here to be logged in
and get a code back (``identity/domain/grants.py``). Who someone is comes from Insats' own data:
a person with a valid personnummer is a citizen; a staff member is who the staff directory says,
with the assurance level the municipality requires (``usecases/login.py``).
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ....auth.broker import LoginRefused, PendingBrokerLogin, broker
from ....auth.principal import Principal, Role
from ....domain.calendar import stockholm_date, swedish_date
from ....domain.personnummer import Personnummer
from ....identity.domain.grants import CLIENTS, AuthorizationRequest, Client, InvalidAuthorization
from ....identity.usecases import authorization, login as staff_logins
from ..http import Context, Page, Redirect
from ..sessions import PendingLogin

ROLE_LABELS = {
    Role.CASE_WORKER: "Handläggare", Role.PROVIDER_STAFF: "Omsorgspersonal", Role.PROVIDER_COORDINATOR: "Samordnare",
    Role.PROVIDER_MANAGER: "Verksamhetschef hos utförare", Role.ORDERING_UNIT: "Beställarenheten",
    Role.FINANCE: "Ekonomi",
    Role.AUDITOR: "Granskare (loggkontroll)", Role.ORGANISATION_ADMIN: "Administratör för organisationen",
    Role.MUNICIPAL_ADMIN: "Kommunens administratör", Role.CITIZEN: "Privatperson",
    Role.RELATIVE: "Privatperson", Role.CONTACT_PERSON: "Privatperson",
}
# What exists for each role, in the order a person would want it. Issues to come add pages here.
SECTION_LINKS: dict[Role, list[dict[str, str]]] = {
    Role.CASE_WORKER: [{"href": "/eservices/personal/att-gora", "text": "Handläggning",
                        "hint": "att göra, inkorgen med e-ansökningar och Koppla ansökan"},
                       {"href": "/visits/personal/avvikelser", "text": "Avvikelser i besök",
                        "hint": "tid utöver beviljad och manuella kvitteringar hos dina brukare, att besluta om"},
                       {"href": "/reports/personal/uppfoljning", "text": "Uppföljning",
                        "hint": "beviljad, utförd och godkänd tid för dina brukare, enligt nattens rapport"}],
    Role.PROVIDER_COORDINATOR: [{"href": "/visits/personal/oversikt", "text": "Besöksuppföljning",
                                 "hint": "månadens besök, avvikelser att åtgärda, frånvaro, taggar och lås och "
                                         "fakturaunderlaget före spärrdatum"}],
    Role.PROVIDER_MANAGER: [{"href": "/visits/personal/oversikt", "text": "Besöksuppföljning",
                             "hint": "månadens besök och avvikelser, godkännanden och fakturaunderlaget"}],
    Role.PROVIDER_STAFF: [{"href": "/visits/personal/app", "text": "Besöksappen",
                           "hint": "registrera besöken vid dörren, även utan nät; kan installeras på telefonen"},
                          {"href": "/visits/personal/mina-registreringar", "text": "Mina registreringar",
                           "hint": "dina besök och allt som ändrats i dem efteråt"}],
    Role.ORDERING_UNIT: [{"href": "/reports/personal/uppfoljning", "text": "Uppföljning",
                          "hint": "månadens beviljade, utförda och godkända tid, kvittering, avvikelser och "
                                  "personalkontinuitet per utförare och brukare"},
                         {"href": "/billing/personal", "text": "Ekonomi",
                          "hint": "fakturaunderlag per utförare, avstämning, klassificering, utbetalningar och regler"}],
    Role.FINANCE: [{"href": "/billing/personal", "text": "Ekonomi",
                    "hint": "fakturaunderlag per utförare, preliminärt och slutligt, avstämning mot fakturan, "
                            "brukarnas klassificering, kontaktpersonernas utbetalningar och reglerna som gäller"},
                   {"href": "/reports/personal/uppfoljning", "text": "Uppföljning",
                    "hint": "månadens beviljade, utförda och godkända tid per utförare och brukare"}],
    Role.AUDITOR: [{"href": "/eservices/personal/logg", "text": "Loggkontroll",
                    "hint": "vem som läst eller ändrat vad i handläggningen och varför: sök per klient, personal, "
                            "ärende och period, exportera som CSV"},
                   {"href": "/personal/logg", "text": "Inloggningar och konton",
                    "hint": "inloggningar, nekade inloggningar med skäl och ändringar av personalkonton"}],
    Role.ORGANISATION_ADMIN: [{"href": "/personal/konton", "text": "Personalkonton",
                               "hint": "organisationens konton: lägg till, förläng, avsluta och ändra roller"}],
    Role.MUNICIPAL_ADMIN: [{"href": "/personal/konton", "text": "Personalkonton",
                            "hint": "kommunens enheters konton och utförarnas administratörer"}],
}
APIS: dict[Role, list[str]] = {
    Role.ORGANISATION_ADMIN: ["GET/POST /identity/staff-accounts", "POST /identity/staff-accounts/{id}/extension",
                              "POST /identity/staff-accounts/{id}/end", "PUT /identity/staff-accounts/{id}/roles"],
    Role.MUNICIPAL_ADMIN: ["GET/POST /identity/staff-accounts", "GET /identity/organisations"],
    Role.AUDITOR: ["GET /identity/audit", "GET /eservices/audit"],
    Role.PROVIDER_COORDINATOR: ["GET /visits/visits", "POST /visits/visits/{id}/approval"],
    Role.PROVIDER_STAFF: ["POST /visits/visit-events"],
    Role.PROVIDER_MANAGER: ["GET /reports/monthly/{month}", "GET /billing/invoice-basis/{provider}/{month}"],
    Role.ORDERING_UNIT: ["GET /reports/monthly/{month}", "GET /billing/invoice-basis/{provider}/{month}"],
    Role.FINANCE: ["GET /billing/invoice-basis", "POST /billing/invoice-basis/{provider}/{month}/final",
                   "GET /billing/payouts"],
}


def title(text: str) -> str:
    return f"{text} – Insats för personal"


# -- the staff entry -------------------------------------------------------------------------
def front(ctx: Context) -> Page | Redirect:
    user = ctx.user
    back_to = CLIENTS.get(ctx.query.get("state", "")) if ctx.query.get("utloggad") == "1" else None
    if user is None and back_to is not None and not back_to.lands_at_personal:
        return Redirect(f"{ctx.config.public_base_url}{back_to.logged_out_path}")  # back from the broker's logout
    if user is None:
        return Page("login.html", {"title": title("Logga in"), "logged_out": ctx.query.get("utloggad") == "1"},
                    personal=False)
    if user.principal is None:
        return Redirect(ctx.url("/valj-roll"))
    who = user.principal
    if not who.is_staff:
        return Page("refused.html", {"title": title("Privatperson"), "heading": "Du är inloggad som privatperson",
                                     "text": "Sidorna för personal kräver ett personalkonto i Insats. Logga ut och "
                                             "logga in igen om du har ett, eller gå till kommunens e-tjänster."})
    today = stockholm_date(ctx.now)
    account = ctx.deps.accounts.get_account(who.subject)
    if account is None or not account.is_valid_on(today):  # ended while logged in: the session ends now
        ctx.end()
        return Page("refused.html", {"title": title("Kontot gäller inte"), "heading": "Ditt konto gäller inte längre",
                                     "text": staff_logins.REFUSALS["account_ended"]}, status=403)
    if who.role not in account.roles:  # the organisation took the role away while logged in
        ctx.end()
        return Page("refused.html", {"title": title("Rollen har ändrats"), "heading": "Dina roller har ändrats",
                                     "text": "Din organisation har ändrat vilka roller ditt konto har. Logga in igen "
                                             "för att arbeta i en roll du har nu."}, status=403)
    organisation = ctx.deps.organisations.get_organisation(account.organisation_id)
    valid_to: date = account.valid_to
    others = [ROLE_LABELS[p.role].lower() for p in user.choices if p.role != who.role]
    return Page("home.html", {
        "title": title("Start"), "principal": who, "role_label": ROLE_LABELS[who.role],
        "organisation_name": organisation.name if organisation else account.organisation_id,
        "valid_to": swedish_date(valid_to), "other_roles": " och ".join(others),
        "ends_soon": (valid_to - today).days <= 14,
        "links": SECTION_LINKS.get(who.role, []), "apis": APIS.get(who.role, []),
    })


def login(ctx: Context) -> Redirect:
    """Where a page sent someone not logged in (``next``, our own pages only), or the start page."""
    from ..http import safe_next

    wanted = ctx.query.get("next")
    return _start_login(ctx, "staff", safe_next(ctx.config, wanted) if wanted else ctx.url("/"))


def login_done(ctx: Context) -> Page | Redirect:
    session = ctx.session
    if session is None or session.login is None:
        return Redirect(ctx.url("/logga-in"))
    pending = session.login
    try:
        identity = broker().finish(PendingBrokerLogin(state=pending.state, nonce=pending.nonce,
                                                      verifier=pending.verifier, redirect_uri=pending.redirect_uri),
                                   ctx.query)
        if pending.audience == "staff":
            found = staff_logins.staff_login(ctx.deps, identity.personnummer, identity.acr, stockholm_date(ctx.now))
            principals = found.principals
        else:
            principals = [citizen(identity.personnummer, identity.name)]
            staff_logins.record_login(ctx.deps, principals[0])
    except LoginRefused as refused:
        staff_logins.record_refusal(ctx.deps, refused)
        ctx.end()
        return Page("refused.html", {"title": title("Inloggningen nekades"), "heading": "Du kunde inte loggas in",
                                     "text": refused.message, "try_again": True}, status=403)
    ctx.begin("user", principal=principals[0] if len(principals) == 1 else None, choices=principals,
              resume=pending.next, id_token_hint=identity.id_token)
    if len(principals) > 1:
        return Redirect(ctx.url("/valj-roll"))
    return Redirect(pending.next)


def choose_role(ctx: Context) -> Page | Redirect:
    user = ctx.user
    if user is None or not user.choices:
        return Redirect(ctx.url("/logga-in"))
    if ctx.method == "POST":
        chosen = next((p for p in user.choices if str(p.role) == ctx.form.get("roll")), None)
        if chosen is not None:
            user.principal = chosen
            resume, user.resume = user.resume or ctx.url("/"), None
            ctx.save_session()
            return Redirect(resume)
    return Page("choose_role.html", {"title": title("Välj roll"),
                                     "choices": [{"role": str(p.role), "label": ROLE_LABELS[p.role]}
                                                 for p in user.choices]})


def logout_page(ctx: Context) -> Page | Redirect:
    """Where a section sends someone who logs out there: one button ends the login everywhere."""
    if ctx.user is None:
        return Redirect(ctx.url("/") + "?utloggad=1")
    return Page("refused.html", {"title": title("Logga ut"), "heading": "Logga ut",
                                 "text": "Tryck på Logga ut i menyn för att logga ut från Insats och från "
                                         "e-legitimationen."})


def broker_callback(ctx: Context) -> str:
    """The redirect URI the municipality registers with its broker (README "Logging in with e-ID")."""
    return f"{ctx.config.public_base_url}{ctx.url('/logga-in/klar')}"


def broker_logout_return(ctx: Context) -> str:
    """The post-logout redirect URI registered with the broker, exactly as the README gives it: brokers
    compare it character by character, so no slash after /personal."""
    return f"{ctx.config.public_base_url}{ctx.url('')}?utloggad=1"


def end_session(ctx: Context) -> Page | Redirect:
    """Insats' end-session endpoint (OpenID Connect RP-initiated logout) for a section whose person
    logged out there, after the section ended its session and revoked its login here: the browser
    goes on to the broker's ``end_session_endpoint`` where there is one (``state`` names the section),
    and lands on the section's own logged-out page. It ends nothing itself, so a link to it from
    elsewhere can at most ask the broker to log someone out."""
    client = CLIENTS.get(ctx.query.get("client_id", ""))
    if client is None:
        return Page("refused.html", {"title": title("Utloggningen kunde inte göras"), "heading": "Okänd e-tjänst",
                                     "text": "Utloggningen kom från en okänd tjänst. Stäng webbläsaren för att "
                                             "vara säker på att du är utloggad."}, status=400, personal=False)
    landing = f"{ctx.config.public_base_url}{client.logged_out_path}"
    return Redirect(broker().logout_url(None, broker_logout_return(ctx), state=client.client_id) or landing)


def logout(ctx: Context) -> Redirect:
    hint = ctx.user.id_token_hint if ctx.user else None
    ctx.end()  # every section's renewal fails from now: their sessions end at the next renewal
    return Redirect(broker().logout_url(hint, broker_logout_return(ctx)) or ctx.url("/") + "?utloggad=1")


# -- Insats' authorization endpoint -------------------------------------------------------------
def authorize(ctx: Context) -> Page | Redirect:
    try:
        request, client = AuthorizationRequest.parse(ctx.query, ctx.config.public_base_url)
    except InvalidAuthorization:
        return Page("refused.html", {"title": title("Felaktig inloggning"), "heading": "Inloggningen gick inte att "
                                     "starta", "text": "Länken du följde är inte en giltig inloggning till Insats. "
                                     "Gå tillbaka och försök igen."}, status=400)
    user = ctx.user
    if user is None:
        return _start_login(ctx, client.audience, f"/identity/authorize?{request.query()}")
    if user.principal is None:  # several roles and none chosen yet
        user.resume = f"/identity/authorize?{request.query()}"
        ctx.save_session()
        return Redirect(ctx.url("/valj-roll"))
    who = user.principal
    if who.is_staff and not staff_logins.account_valid(ctx.deps, who.subject, stockholm_date(ctx.now), who.role):
        ctx.end()  # the account ended while logged in: no section gets a code, the login ends now
        return _start_login(ctx, client.audience, f"/identity/authorize?{request.query()}")
    if client.serves(who):
        return Redirect(authorization.issue_code(ctx.deps, request, who, user.session_id), status=302)
    return _wrong_door(client, who)


def _wrong_door(client: Client, who: Principal) -> Page:
    if client.audience == "people":
        text = ("Du är inloggad som personal. Logga ut först om du vill använda e-tjänsterna som privatperson.")
    elif not who.is_staff:
        text = ("Du är inloggad som privatperson. Sidorna för personal kräver ett personalkonto: logga ut och logga "
                "in igen som personal.")
    else:
        text = (f"Sidorna för {client.label} är inte för rollen {ROLE_LABELS[who.role].lower()}. Har ditt konto "
                "fler roller kan du byta roll på startsidan.")
    return Page("refused.html", {"title": title("Ingen behörighet"), "heading": "Du har inte behörighet",
                                 "text": text}, status=403)


def _start_login(ctx: Context, audience: str, next_path: str) -> Redirect:
    callback = broker_callback(ctx)
    acr = staff_logins.required_acr(ctx.deps) if audience == "staff" else None
    pending, url = broker().start(callback, acr_values=acr)
    ctx.begin("login", login=PendingLogin(state=pending.state, nonce=pending.nonce, verifier=pending.verifier,
                                          next=next_path, audience=audience, redirect_uri=callback))
    return Redirect(url, status=302)


def citizen(personnummer: str, name: str | None) -> Principal:
    pnr = Personnummer(personnummer)
    return Principal(subject=str(uuid.uuid5(uuid.NAMESPACE_URL, f"insats:{pnr}")), role=Role.CITIZEN,
                     personnummer=pnr, name=name)


def token_endpoint(deps: Any, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """``POST /identity/token``: RFC 6749's answers (400 with ``error`` on a refusal)."""
    from datetime import timedelta

    from ....identity.domain.grants import GrantRefused
    from .section import personal_config

    try:
        return 200, authorization.redeem(deps, form, timedelta(seconds=personal_config().idle_seconds))
    except GrantRefused as refused:
        return (401 if refused.error == "invalid_client" else 400), {"error": refused.error,
                                                                      "error_description": refused.description}
