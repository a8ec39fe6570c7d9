"""API users: one token per user, shown once, stored as a hash; roles tied to their shop
or courier; the command prints the token or one line of error with exit code 2."""

from __future__ import annotations

import datetime as dt

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli.main import main
from logistics.store.models import Courier, Shop, User
from logistics.store.users import UserError, create_user, token_hash, user_for_token


@pytest.fixture(scope="module")
def shop_and_courier(engine: Engine) -> tuple[str, str]:
    with Session(engine) as session:
        session.add(Shop(id="s-users", name="Fromagerie", location=from_shape(Point(3.08, 50.37), 4326),
                         opens=dt.time(9), closes=dt.time(19)))
        here = from_shape(Point(3.08, 50.37), 4326)
        session.add(Courier(id="c-users", mode="cargo_bike", capacity_kg=100, capacity_l=300,
                            shift_start=dt.time(8), shift_end=dt.time(16), start=here, end=here))
        session.commit()
    return "s-users", "c-users"


def test_each_role_gets_a_token_that_finds_it_and_only_the_hash_is_kept(engine, shop_and_courier):
    shop_id, courier_id = shop_and_courier
    with Session(engine) as session:
        made = [
            create_user(session, "shop", shop_id=shop_id),
            create_user(session, "courier", courier_id=courier_id),
            create_user(session, "dispatcher"),
            create_user(session, "city"),
        ]
        session.commit()
        tokens = [t for _, t in made]
        assert len(set(tokens)) == 4
        for user, token in made:
            assert user_for_token(session, token).id == user.id
            assert user.token_sha256 == token_hash(token) != token
        assert user_for_token(session, tokens[0] + "x") is None
        stored = session.scalars(select(User.token_sha256)).all()
        assert not set(tokens) & set(stored)


@pytest.mark.parametrize(
    ("role", "kwargs", "message"),
    [
        ("shop", {}, "shop_id: a shop user needs"),
        ("shop", {"shop_id": "nope"}, "shop_id: no shop 'nope'"),
        ("courier", {}, "courier_id: a courier user needs"),
        ("courier", {"courier_id": "nope"}, "courier_id: no courier 'nope'"),
        ("city", {"shop_id": "s-users"}, "shop_id: only a shop user has one"),
        ("dispatcher", {"courier_id": "c-users"}, "courier_id: only a courier user has one"),
        ("admin", {}, "role: 'admin' is not one of"),
    ],
)
def test_users_that_make_no_sense_are_refused(engine, shop_and_courier, role, kwargs, message):
    with Session(engine) as session, pytest.raises(UserError, match=message):
        create_user(session, role, **kwargs)


def test_command_prints_the_token_or_one_line_with_exit_2(db_url, shop_and_courier, capsys):
    assert main(["users", "create", "--role", "shop", "--shop-id", "s-users",
                 "--database-url", db_url]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    assert "\n" not in token
    assert main(["users", "create", "--role", "shop", "--shop-id", "ghost",
                 "--database-url", db_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no shop 'ghost'" in err
    assert "Traceback" not in err
