"""Shops: the body that adds one, and the shop as the API answers."""

from pydantic import BaseModel, Field, model_validator

from .common import ClockText, check_clock


class ShopCreate(BaseModel):
    """A shop, with the columns of ``shops.csv``."""

    shop_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    opens: str
    closes: str

    @model_validator(mode="after")
    def _hours(self) -> "ShopCreate":
        if check_clock(self.opens, "opens") > check_clock(self.closes, "closes"):
            raise ValueError("closes: the shop closes before it opens")
        return self


class ShopPublic(BaseModel):
    """A shop added: its id, name, address, point and hours, as they were sent."""

    shop_id: str
    name: str
    address: str | None
    lon: float
    lat: float
    opens: ClockText
    closes: ClockText
