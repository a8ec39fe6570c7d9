"""What the shop's page reads: its shop with the form's choices, and a parcel's label."""

from pydantic import BaseModel

from .common import ClockIn, ClockText


class ParcelPresetPublic(BaseModel):
    """A parcel size by its French name."""

    code: str
    label: str
    weight_kg: float
    volume_l: float


class ShopMe(BaseModel):
    """The caller's shop, the day's slots and the parcel presets of its form."""

    shop_id: str
    name: str
    address: str | None
    opens: ClockText
    closes: ClockText
    slots: list[dict[str, str]]
    parcels: list[ParcelPresetPublic]
    #: the preset its form starts on, and its marketplace orders count as when unsized
    default_parcel: str


class ReadyBody(BaseModel):
    """When the parcels are ready: ``at`` (``HH:MM``, today's time on the order's day),
    or now when absent."""

    at: ClockIn | None = None


class LabelPublic(BaseModel):
    """A parcel's label: ids, the customer, the street, the day and slot, and a QR code
    of the order id as SVG markup (made by the server)."""

    order_id: str
    shop_ref: str
    shop_name: str | None
    customer_name: str | None
    address: str | None
    date: str
    slot: str
    qr_svg: str
