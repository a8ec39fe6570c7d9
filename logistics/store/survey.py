"""The one question a customer may answer after delivery, and the share of deliveries
that replaced a car trip it gives the city (:mod:`logistics.impact_net`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logistics import clock
from logistics.errors import DomainError, ErrorKind
from logistics.store.models import Order, OrderStatus, SurveyAnswer

#: the answers, as the API takes them
MODES = ("car", "foot", "bike", "transit", "none")


def answer(session: Session, order: Order, mode: str) -> SurveyAnswer:
    """Keep the customer's answer for ``order``: once, after delivery (409 otherwise)."""
    if mode not in MODES:
        raise DomainError("mode", f"{mode!r} is not one of {', '.join(MODES)}", code="survey_mode")
    if order.status != OrderStatus.DELIVERED:
        raise DomainError("order", f"order {order.id} is {order.status}: the question comes after delivery",
                          kind=ErrorKind.CONFLICT, code="survey_not_delivered")
    if session.get(SurveyAnswer, order.id) is not None:
        raise DomainError("mode", f"order {order.id} has its answer already", kind=ErrorKind.CONFLICT,
                          code="survey_answered")
    row = SurveyAnswer(order_id=order.id, mode=mode, day=order.delivery_date, answered_at=clock.now())
    session.add(row)
    session.flush()
    return row


def answered(session: Session, order: Order) -> str | None:
    row = session.get(SurveyAnswer, order.id)
    return row.mode if row is not None else None


def answers_by_day(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, tuple[int, int]]:
    """Per delivery day of ``first``..``last``: (answers, answers "car")."""
    rows = session.execute(
        select(SurveyAnswer.day, func.count(), func.count().filter(SurveyAnswer.mode == "car"))
        .where(SurveyAnswer.day.between(first, last)).group_by(SurveyAnswer.day))
    return {day: (int(n), int(car)) for day, n, car in rows}
