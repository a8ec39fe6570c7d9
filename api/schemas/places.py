"""Shops: the bodies that add and change one, and the shops as the API answers."""

from pydantic import BaseModel, ConfigDict, model_validator

from logistics import parcels

from .common import (
    Address,
    ClockIn,
    ClockText,
    Instant,
    Lat,
    Lon,
    Name,
    NewIdent,
    ParcelCode,
    check_clock,
    point_problem,
)


class ShopCreate(BaseModel):
    """A shop, with the columns of ``shops.csv``."""

    shop_id: NewIdent
    name: Name
    address: Address | None = None
    lon: Lon
    lat: Lat
    opens: ClockIn
    closes: ClockIn
    #: what its marketplace orders count as when their items say no weight or volume
    default_parcel: ParcelCode = parcels.DEFAULT.code

    @model_validator(mode="after")
    def _hours(self) -> "ShopCreate":
        if check_clock(self.opens, "opens") > check_clock(self.closes, "closes"):
            raise ValueError("closes: the shop closes before it opens")
        problem = point_problem("lon", "lat", self.lon, self.lat)
        if problem is not None:
            raise ValueError(problem)
        return self


class ShopUpdate(BaseModel):
    """What changes of a shop (the rest stays); the shop as changed is checked as a
    new one would be. Its id cannot change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    address: Address | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    opens: ClockIn | None = None
    closes: ClockIn | None = None
    default_parcel: ParcelCode | None = None


class ShopPublic(BaseModel):
    """A shop: its id, name, address, point and hours, and when it was retired (null:
    it takes orders)."""

    shop_id: str
    name: str
    address: str | None
    lon: float
    lat: float
    opens: ClockText
    closes: ClockText
    default_parcel: str = parcels.DEFAULT.code
    retired_at: Instant | None = None


class ShopsPublic(BaseModel):
    """The shops, by id, and how many."""

    count: int
    shops: list[ShopPublic]
