"""The customer's tracking link ``/t/{token}``: a page (French, phone first, plain HTML
that a small script brings up to date every minute, no framework), the same facts as JSON for programs
(``GET /api/tracking/{token}``), and the opt-out of further messages
(``/t/{token}/stop``: a page with one button, then ``POST``). No sign-in: the token is
the key; a made-up or expired one is a 404 like any unknown address."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from couriers.tracking import order_of_token, tracking_view
from logistics.messages.wording import day_text
from logistics.store.announcements import opt_out
from logistics.store.models import Order
from logistics.store.survey import MODES, answer, answered

from ..deps import SessionDep
from ..errors import invalid, not_found
from ..schemas import error_responses
from ..schemas.tracking import SurveyBody, TrackingPublic

router = APIRouter(tags=["tracking"])
Token = Path(description="the order's tracking token (from its link)", max_length=64)

#: what the customer reads for each status (the headline)
HEADLINE = {
    "received": "Commande reçue",
    "planned": "Livraison prévue",
    "picked_up": "Colis en route",
    "on_the_way": "Votre livreur arrive",
    "delivered": "Colis livré",
    "failed": "Livraison impossible",
    "cancelled": "Commande annulée",
}
#: what happens after a failure
NEXT_STEP = {
    "return_to_shop": "Le colis retourne au commerce, qui vous recontactera pour une nouvelle livraison.",
    "return_to_hub": "Le colis est gardé au dépôt ; le commerce vous recontactera.",
    "shop_will_call": "Le commerce vous recontactera.",
}
#: the survey's answers, as the page words them
SURVEY_CHOICES = {"car": "en voiture", "foot": "à pied", "bike": "à vélo", "transit": "en transports en commun",
                  "none": "je ne serais pas venu(e)"}
#: statuses after which the page no longer refreshes
FINAL = {"delivered", "failed", "cancelled"}


def _order(db: SessionDep, token: str) -> Order:
    """The order of a valid link, else the API's 404."""
    order = order_of_token(db, token)
    if order is None:
        raise not_found("token", "no delivery of that link (unknown or expired)")
    return order


@router.get("/api/tracking/{token}", responses=error_responses(404, 422))
def tracking_json(db: SessionDep, token: str = Token) -> TrackingPublic:
    """What the customer's page shows, as JSON (no sign-in: the link's token)."""
    return TrackingPublic.model_validate(tracking_view(db, _order(db, token)))


def _page(title: str, body: str, refresh: bool = False, status: int = 200) -> HTMLResponse:
    """A page; ``refresh``: the delivery is not over, the page updates itself every
    minute (``track.js``, in place) and offers "Actualiser"."""
    script = '<script src="/static/track.js" defer></script>' if refresh else ""
    again = '<p><a class="again" href="">Actualiser</a></p>' if refresh else ""
    html = (f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">'
            f'<title>{escape(title)} — Livraison Douai</title>'
            f'<link rel="stylesheet" href="/static/common.css"><link rel="stylesheet" href="/static/track.css">'
            f'{script}</head><body class="track"><main data-final="{"no" if refresh else "yes"}" '
            f'aria-live="polite">{body}{again}</main></body></html>')
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _unknown() -> HTMLResponse:
    return _page("Lien inconnu", "<h1>Lien inconnu ou expiré</h1><p>Ce lien de suivi n'existe pas, ou la "
                 "livraison est passée depuis plusieurs jours.</p>", status=404)


def _lines(v: dict[str, Any]) -> str:
    day = day_text(date.fromisoformat(v["date"]))
    out = []
    if v["status"] in ("planned", "picked_up", "on_the_way", "received"):
        out.append(f'<p class="slot">Créneau : <strong>{escape(day)}, entre {v["slot"]["from"]} '
                   f'et {v["slot"]["to"]}</strong></p>')
    if v["arrival"] and v["status"] != "delivered":
        out.append(f'<p class="arrival">Arrivée estimée entre <strong>{v["arrival"]["from"]}</strong> et '
                   f'<strong>{v["arrival"]["to"]}</strong></p>')
    if v["status"] == "on_the_way":
        out.append('<p class="next">Votre arrêt est le prochain : restez joignable.</p>')
    elif v["stops_before"]:
        n = v["stops_before"]
        out.append(f'<p class="before">{n} arrêt{"s" if n > 1 else ""} avant vous.</p>')
    if v["status"] == "received":
        out.append('<p>La tournée du jour n\'est pas encore publiée : l\'heure d\'arrivée viendra ensuite.</p>')
    if v["status"] == "delivered":
        at = f" à {v['delivered_at']}" if v["delivered_at"] else ""
        who = f", remis à {escape(v['recipient'])}" if v["recipient"] else ""
        out.append(f'<p class="done">Livré {escape(day)}{at}{who}. Merci !</p>')
    if v["status"] == "failed":
        why = f" : {escape(v['failed_reason'])}" if v["failed_reason"] else ""
        out.append(f'<p class="failed">Nous n\'avons pas pu vous livrer{why}.</p>')
        out.append(f'<p>{NEXT_STEP.get(v["next_step"] or "", NEXT_STEP["shop_will_call"])}</p>')
    if v["status"] == "cancelled":
        out.append("<p>Cette commande a été annulée : il n'y a rien à livrer.</p>")
    return "".join(out)


@router.get("/t/{token}", include_in_schema=False)
def tracking_page(db: SessionDep, token: str = Token) -> HTMLResponse:
    order = order_of_token(db, token)
    if order is None:
        return _unknown()
    v = tracking_view(db, order)
    shops = " et ".join(v["shops"]) or "Livraison Douai"
    body = (f'<p class="shops">{escape(shops)}</p>'
            f'<h1 class="status st-{v["status"]}">{HEADLINE[v["status"]]}</h1>{_lines(v)}'
            f'{_survey(db, order, token) if v["status"] == "delivered" else ""}'
            f'<p class="muted small">Livraison à vélo cargo ou à pied. '
            f'<a href="/t/{escape(token)}/stop">Ne plus recevoir de messages</a></p>')
    return _page(HEADLINE[v["status"]], body, v["status"] not in FINAL)


def _survey(db: SessionDep, order: Order, token: str) -> str:
    """The one question after delivery (a plain form), or thanks once answered."""
    if answered(db, order) is not None:
        return '<p class="survey-done">Merci pour votre réponse.</p>'
    choices = "".join(
        f'<label class="choice"><input type="radio" name="mode" value="{code}" required> {words}</label>'
        for code, words in SURVEY_CHOICES.items())
    return (f'<form class="survey" method="post" action="/t/{escape(token)}/survey">'
            '<fieldset><legend>Une question (facultative) : sans la livraison, comment seriez-vous '
            f'venu(e) ?</legend>{choices}</fieldset>'
            '<button type="submit" class="primary">Envoyer ma réponse</button></form>')


@router.post("/t/{token}/survey", status_code=201, tags=["tracking"], responses={
    201: {"model": SurveyBody, "description": "The answer kept."},
    303: {"description": "From the page's form: back to the tracking page."},
    **error_responses(404, 409, 422, notes={
        404: "No delivery of that link (unknown or expired).",
        409: "Not delivered yet, or answered already (one answer per order).",
        422: "Not one of the five answers."}),
}, openapi_extra={"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["mode"], "properties": {
        "mode": {"type": "string", "enum": list(MODES)}}}},
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "mode": {"type": "string", "enum": list(MODES)}}}}}}})
async def post_survey(request: Request, db: SessionDep, token: str = Token) -> Response:
    """"Sans la livraison, comment seriez-vous venu(e) ?": one answer per delivered order,
    by JSON ``{"mode"}`` or by the page's form (then back to the page)."""
    order = _order(db, token)
    form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    if form:
        mode = str((await request.form()).get("mode") or "")
    else:
        try:
            mode = SurveyBody.model_validate_json(await request.body()).mode
        except ValidationError:
            raise invalid("mode", "a JSON body {\"mode\": ...} with one of " + ", ".join(MODES)) from None
    if form and answered(db, order) is not None:  # a second tap of the form: back to the page
        return RedirectResponse(f"/t/{token}", status_code=303)
    answer(db, order, mode)
    if form:
        return RedirectResponse(f"/t/{token}", status_code=303)
    return Response(SurveyBody(mode=mode).model_dump_json(), status_code=201, media_type="application/json")


@router.get("/t/{token}/stop", include_in_schema=False)
def stop_page(db: SessionDep, token: str = Token) -> HTMLResponse:
    """The opt-out's page: one button (a link that a mail scanner opens changes nothing)."""
    if order_of_token(db, token) is None:
        return _unknown()
    back = f'<p><a href="/t/{escape(token)}">Retour au suivi de la livraison</a></p>'
    body = ("<h1>Ne plus recevoir de messages</h1>"
            "<p>Vous ne recevrez plus d&#8217;e-mails ni de SMS pour vos livraisons à Douai.</p>"
            f'<form method="post" action="/t/{escape(token)}/stop">'
            '<button type="submit" class="primary">Ne plus recevoir de messages</button></form>' + back)
    return _page("Ne plus recevoir de messages", body)


@router.post("/t/{token}/stop", include_in_schema=False)
def stop_messages(db: SessionDep, token: str = Token) -> HTMLResponse:
    order = order_of_token(db, token)
    if order is None:
        return _unknown()
    opt_out(db, order)
    back = f'<p><a href="/t/{escape(token)}">Retour au suivi de la livraison</a></p>'
    body = "<h1>C&#8217;est noté</h1><p>Vous ne recevrez plus de messages de notre part.</p>" + back
    return _page("Désinscription enregistrée", body)
