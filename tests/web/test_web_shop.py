"""The shop's page in headless Chromium against a real ``douai-delivery serve`` whose
address source is a small OSM extract of Douai (``GEOCODER=osm``, the addresses of
``geocoding_extracts``), at a phone's width (390 px) and a desktop's (1280 px): the
shop's name and its orders of the coming days, a new order whose address is chosen
among the proposals, refusals shown in French next to their field, "Colis prêt" and
"Pas prêt, prêt à…", a cancel, a CSV import refused at its row then accepted, a label
with its QR code, and the page's accessibility (axe-core, sizes, no sideways scroll)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from geocoding_extracts import write_extract
from playwright.sync_api import expect
from stack_fixtures import REPO, SCRIPT
from stack_helpers import free_port, serving
from web.conftest import axe_violations, browser_clock, shot

DATE = "2032-10-12"  # a Tuesday
PREFIX = "wsh-"
#: where the extract's addresses are (geocoding_extracts.DOUAI)
BELLAIN_12 = ("12 Rue de Bellain, 59500 Douai", 3.0795, 50.3705)
BELLAIN_14 = ("14 Rue de Bellain, 59500 Douai", 3.0797, 50.3706)
ARMES_5 = ("5 Place d'Armes, 59500 Douai", 3.0801, 50.3701)
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture(scope="module")
def shop_server(worker_env, worker, tmp_path_factory):
    """``douai-delivery serve`` with the session's store, queue and worker, placing
    addresses with the offline index of a small extract of Douai's addresses; a file of
    more than 2 rows is imported by the worker (202)."""
    folder = tmp_path_factory.mktemp("shop-page")
    extract = write_extract(folder / "douai-addresses.osm")
    env = {**worker_env, "OSM_SOURCE": str(extract), "GEOCODER": "osm", "IMPORT_INLINE_ROWS": "2"}
    env.pop("DELIVERY_AREA", None)
    port = free_port()
    with serving([str(SCRIPT), "serve", "--host", "127.0.0.1", "--port", str(port)],
                 log=folder / "serve.log", port=port, env=env, cwd=REPO) as base:
        yield base


def _day(offset: int) -> str:
    return (dt.date.fromisoformat(DATE) + dt.timedelta(days=offset)).isoformat()


def _seed(platform, name: str) -> dict:
    """A shop with orders today, in 3 days and in 8 days (not shown), and another shop
    with an order today (never shown); returns the shop's id and token."""
    c = platform.client
    shop_id, other = f"{PREFIX}{name}", f"{PREFIX}{name}-autre"
    for sid, label in ((shop_id, f"Boulangerie Gayant ({name})"), (other, "Fleurs du Beffroi")):
        r = c.post("/api/shops", headers=platform.dispatcher, json={
            "shop_id": sid, "name": label, "lon": 3.0805, "lat": 50.3702, "opens": "07:00", "closes": "19:30",
            "default_parcel": "carton"})
        assert r.status_code == 201, r.text
    token = platform.token("shop", shop_id=shop_id)
    mine = {"Authorization": f"Bearer {token}"}
    theirs = {"Authorization": f"Bearer {platform.token('shop', shop_id=other)}"}
    for headers, ref, day, (address, lon, lat), customer, slot in (
        (mine, "A1", 0, ARMES_5, "Mme Arnaud", ("10:00", "12:00")),
        (mine, "A2", 0, BELLAIN_14, "M. Bernard", ("14:00", "16:00")),
        (mine, "A3", 3, BELLAIN_12, "Mme Colin", ("16:00", "18:00")),
        (mine, "A4", 8, BELLAIN_12, "M. Dumont", ("10:00", "12:00")),
        (theirs, "Z1", 0, BELLAIN_12, "Mme Zidane", ("10:00", "12:00")),
    ):
        r = c.post("/api/orders", headers=headers, json={
            "order_id": ref, "date": _day(day), "customer_address": address, "customer_lon": lon,
            "customer_lat": lat, "customer_name": customer, "weight_kg": 2, "volume_l": 10,
            "deliver_from": slot[0], "deliver_to": slot[1]})
        assert r.status_code == 201, r.text
    return {"shop_id": shop_id, "token": token, "headers": mine}


def _open(page, size: str, server: str, token: str, clock) -> None:
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    clock.on(DATE, "09:00")
    browser_clock(page, clock)
    page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    page.goto(f"{server}/shop#token={token}")


def _card(page, ref: str):
    return page.locator(f"#orders-list li.order[data-ref='{ref}']")


def _check_layout(page, size: str) -> None:
    """No sideways scroll, text of 18 px at least, every button and link 44 px high."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size][0], f"{width} px wide at {SIZES[size][0]} px"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    small = page.evaluate("""() => [...document.querySelectorAll(
            "button, .jump a, label.choice, input:not([type=radio]):not([type=file]), select")]
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.id || el.className || el.textContent.trim(), el.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == [], small


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_shop_follows_and_adds_its_orders(
        request, size, shop_server, platform, clock, console_errors):
    page = request.getfixturevalue(size)
    errors = console_errors(page)
    shop = _seed(platform, size)
    c, sid = platform.client, shop["shop_id"]
    _open(page, size, shop_server, shop["token"], clock)

    # The shop's name; its orders of today and the 6 coming days, grouped by day.
    expect(page.locator("h1")).to_have_text(f"Boulangerie Gayant ({size})")
    assert "#token" not in page.url
    expect(page.locator("#orders-list li.order")).to_have_count(3)
    expect(page.locator("#orders-list h3")).to_have_text([
        re.compile(r"^Aujourd'hui, mardi 12 octobre"), re.compile(r"^Vendredi 15 octobre")])
    a1 = _card(page, "A1")
    expect(a1.locator(".customer")).to_have_text("Mme Arnaud")
    expect(a1.locator(".address")).to_have_text(ARMES_5[0])
    expect(a1.locator(".slot")).to_have_text("10:00–12:00")
    expect(a1.locator(".status")).to_have_text("reçue")
    expect(a1.locator(".ready")).to_have_text("pas encore indiqué")
    expect(page.locator("#orders-list")).not_to_contain_text("Mme Zidane")  # another shop's
    expect(page.locator("#orders-list")).not_to_contain_text("M. Dumont")   # in 8 days
    # The form offers the shop's slots and parcel sizes, today by default.
    expect(page.locator("#slot option")).to_have_count(5)
    expect(page.locator("#parcels input[type=radio]")).to_have_count(3)
    expect(page.locator("#parcels input[value=carton]")).to_be_checked()  # the shop's usual parcel
    expect(page.locator("#date")).to_have_value(DATE)
    expect(page.locator("#slot")).to_have_value("10:00|12:00")  # the first slot not over at 09:00
    _check_layout(page, size)
    assert axe_violations(page) == []
    shot(page, f"shop-{size}")

    # A new order, its address chosen among the proposals as it is typed.
    page.fill("#order_id", "N1")
    page.select_option("#slot", "14:00|16:00")
    page.locator("label.choice", has_text="Sac").click()
    page.fill("#customer_name", "Mme Nowak")
    page.fill("#customer_phone", "06 12 34 56 78")
    page.fill("#delivery_notes", "Sonner deux fois")
    # (the offline index completes no half word: "12 rue de bel" finds nothing yet)
    page.locator("#customer_address").press_sequentially("12 rue de bell", delay=20)
    choice = page.locator("#address-choices button", has_text=BELLAIN_12[0])
    expect(choice).to_be_visible()
    expect(page.locator("#address-status")).to_contain_text("proposée")
    if size == "desktop":  # by the keyboard: down to the proposals, Enter
        page.locator("#customer_address").press("ArrowDown")
        expect(page.locator("#address-choices button").first).to_be_focused()
        page.keyboard.press("Enter")
    else:
        choice.click()
    expect(page.locator("#customer_address")).to_have_value(BELLAIN_12[0])
    expect(page.locator("#address-choices")).to_be_hidden()
    expect(page.locator("#address-status")).to_contain_text("Adresse choisie")
    page.click("#order-submit")
    expect(page.locator("#form-msg")).to_have_text(
        "Commande N1 enregistrée : livraison aujourd'hui, mardi 12 octobre, 14:00–16:00.")
    expect(_card(page, "N1").locator(".address")).to_have_text(BELLAIN_12[0])
    expect(_card(page, "N1").locator(".customer")).to_have_text("Mme Nowak")
    expect(page.locator("#customer_address")).to_have_value("")
    stored = c.get(f"/api/orders/{sid}:N1", headers=platform.dispatcher).json()
    assert (stored["customer_lon"], stored["customer_lat"]) == BELLAIN_12[1:]
    assert (stored["weight_kg"], stored["volume_l"], stored["date"]) == (5, 25, DATE)
    assert (stored["customer_phone"], stored["delivery_notes"]) == ("06 12 34 56 78", "Sonner deux fois")

    # Refusals, in French next to their field: a phone number (no sentence from the
    # API: the page names the field), an unknown address (the API's sentence), an
    # address that may be several places (its candidates offered as choices).
    page.fill("#order_id", "N2")
    page.fill("#customer_phone", "pas de numéro")
    page.fill("#customer_address", "1 rue Inconnue, 59500 Douai")
    page.click("#order-submit")
    phone_error = page.locator("#customer_phone-error")
    expect(phone_error).to_be_visible()
    expect(phone_error).to_contain_text("« Téléphone » n'est pas accepté")
    expect(page.locator("#customer_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#customer_phone")).to_be_focused()
    page.fill("#customer_phone", "")
    expect(phone_error).to_be_hidden()
    page.click("#order-submit")
    address_error = page.locator("#customer_address-error")
    expect(address_error).to_have_text(
        "Adresse introuvable : 1 rue Inconnue, 59500 Douai. Vérifiez-la ou choisissez une proposition.")
    page.fill("#customer_address", "80 rue de Bellain, Douai")
    page.click("#order-submit")
    expect(address_error).to_contain_text("correspond à plusieurs lieux")
    expect(page.locator("#address-choices button").first).to_have_text(BELLAIN_14[0])
    page.locator("#address-choices button", has_text=BELLAIN_14[0]).click()
    expect(address_error).to_be_hidden()
    page.click("#order-submit")
    expect(page.locator("#form-msg")).to_contain_text("Commande N2 enregistrée")
    # The same reference again: refused next to it.
    page.fill("#order_id", "N2")
    page.fill("#customer_address", BELLAIN_14[0])
    page.click("#order-submit")
    expect(page.locator("#order_id-error")).to_have_text(
        "Cette référence est déjà utilisée par une autre commande : choisissez-en une autre.")
    page.fill("#order_id", "")
    page.fill("#customer_address", "")
    expect(page.locator("#orders-list li.order")).to_have_count(5)

    # "Colis prêt": ready now (09:00 on the test clock).
    _card(page, "A1").locator("button.ready-now").click()
    expect(_card(page, "A1").locator(".ready")).to_have_text(re.compile(r"^à 09:0\d$"))
    expect(_card(page, "A1").locator(".msg")).to_contain_text("Commande A1 : colis prêt à 09:0")
    assert c.get(f"/api/orders/{sid}:A1", headers=platform.dispatcher).json()["ready_at"].startswith("09:0")
    # "Pas prêt, prêt à…": a time after the slot is refused next to it, then one within.
    a3 = _card(page, "A3")
    a3.locator("button.later").click()
    expect(page.locator("#later-at")).to_be_focused()
    page.fill("#later-at", "19:00")
    a3.locator("form.later-form button[type=submit]").click()
    expect(page.locator("#later-error")).to_contain_text("Prêt à 19:00, c'est après la fin du créneau de livraison (18:00)")
    page.fill("#later-at", "17:00")
    a3.locator("form.later-form button[type=submit]").click()
    expect(a3.locator(".ready")).to_have_text("à 17:00")
    expect(page.locator("#later-at")).to_have_count(0)

    # "Annuler", asked again first.
    a2 = _card(page, "A2")
    a2.locator("button.cancel").click()
    expect(a2.locator("#cancel-question")).to_have_text("Annuler la commande A2 ? Elle ne sera pas livrée.")
    a2.locator("button.confirm-cancel").click()
    expect(a2.locator(".status")).to_have_text("annulée")
    expect(a2.locator("button")).to_have_count(0)
    cancelled = c.get(f"/api/orders/{sid}:A2", headers=platform.dispatcher).json()
    assert (cancelled["status"], cancelled["status_reason"]) == ("cancelled", "annulée par le commerce")

    # The label: the QR code (the server's SVG) and the customer, then printed.
    _card(page, "A1").locator("button.print-label").click()
    label = page.locator("#label-area")
    expect(label).to_be_visible()
    expect(label.locator(".qr svg")).to_have_count(1)
    expect(label.locator(".qr svg")).to_have_attribute("aria-label", re.compile("QR code de la commande A1"))
    expect(label.locator(".who")).to_have_text("Mme Arnaud")
    expect(label.locator(".where")).to_have_text(ARMES_5[0])
    expect(label.locator(".when")).to_have_text("Livraison le mardi 12 octobre, 10:00–12:00")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")  # on paper: the label alone
    expect(label.locator(".who")).to_be_visible()
    for elsewhere in ("#orders-panel", "#order-form", "header.bar", "#label-print"):
        expect(page.locator(elsewhere)).to_be_hidden()
    page.emulate_media(media="screen")
    _check_layout(page, size)
    assert axe_violations(page) == []
    shot(page, f"shop-{size}-label")
    page.click("#label-close")
    expect(label).to_be_hidden()

    # The CSV import: the expected columns and an example; a file refused at its row,
    # nothing kept; then one accepted.
    example = page.locator("#import-example").get_attribute("href")
    assert example.startswith("data:text/csv")
    assert unquote(example.split(",", 1)[1]).startswith(
        "order_id,customer_address,customer_name,customer_phone,weight_kg,volume_l,deliver_from,deliver_to\r\n")
    header = "order_id,customer_address,customer_name,customer_phone,weight_kg,volume_l,deliver_from,deliver_to\n"
    bad = header + (f'C1,"{BELLAIN_12[0]}",Mme Petit,,2,10,10:00,12:00\n'
                    'C2,"9 rue Introuvable, 59500 Douai",M. Roux,,2,10,12:00,14:00\n')
    page.set_input_files("#import-file", files=[
        {"name": "commandes.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.click("#import-submit")
    result = page.locator("#import-result")
    expect(result).to_contain_text("Le fichier est refusé : rien n'a été importé.")
    expect(result.locator("li")).to_have_count(1)
    expect(result.locator("li")).to_contain_text(
        "Ligne 3 : adresse (customer_address) — Adresse introuvable : 9 rue Introuvable, 59500 Douai.")
    expect(result.locator("li .detail")).to_have_text(
        "Conseil : vérifiez l'adresse : numéro, rue, code postal et ville.")  # no English left
    shot(page, f"shop-{size}-import")
    assert c.get(f"/api/orders/{sid}:C1", headers=platform.dispatcher).status_code == 404
    good = header + (f'C1,"{BELLAIN_12[0]}",Mme Petit,,2,10,10:00,12:00\n'
                     f'C2,"{ARMES_5[0]}",M. Roux,,5,25,12:00,14:00\n')
    page.fill("#import-date", _day(1))
    page.set_input_files("#import-file", files=[
        {"name": "commandes.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    page.click("#import-submit")
    expect(result).to_have_text("2 commandes importées.")
    tomorrow = page.locator("#orders-list section.day-group").filter(has=page.locator("li[data-ref=C2]"))
    expect(tomorrow.locator("h3")).to_have_text("Demain, mercredi 13 octobre (2)")
    expect(page.locator("#orders-list li.order")).to_have_count(7)
    # A bigger file goes to the worker (202): its status is followed until it is done.
    big = "order_id,customer_address,customer_lon,customer_lat,weight_kg,volume_l,deliver_from,deliver_to\n" + "".join(
        f'D{i},"{address}",{lon},{lat},2,10,16:00,18:00\n'
        for i, (address, lon, lat) in enumerate((BELLAIN_12, BELLAIN_14, ARMES_5), start=1))
    page.set_input_files("#import-file", files=[
        {"name": "grosses-commandes.csv", "mimeType": "text/csv", "buffer": big.encode()}])
    page.click("#import-submit")
    expect(result).to_contain_text("Import en cours")
    expect(result).to_have_text("3 commandes importées.", timeout=30_000)
    expect(page.locator("#orders-list li.order")).to_have_count(10)
    assert axe_violations(page) == []

    # Signed out (a computer shared at the counter): no customer stays in the page.
    page.click("#signout")
    expect(page.locator("#token-input")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Mme Arnaud")
    expect(page.locator("body")).not_to_contain_text("Mme Nowak")
    assert errors == []


def test_a_token_that_is_not_a_shops_is_told_in_french(shop_server, platform, desktop, console_errors):
    page = desktop
    errors = console_errors(page)
    page.goto(f"{shop_server}/shop#token={platform.token('dispatcher')}")
    expect(page.locator(".signin .error")).to_have_text(
        "Ce jeton n'est pas celui d'un commerce : utilisez le jeton de votre boutique.")
    expect(page.locator("#app")).to_be_hidden()
    page.fill("#token-input", "pas-un-jeton")
    page.click(".signin button[type=submit]")
    expect(page.locator(".signin .error")).to_contain_text("Jeton refusé")
    assert axe_violations(page) == []
    assert errors == []
