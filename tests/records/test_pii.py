"""Encrypted columns and blind indexes (hireflow.core.pii) on both database backends."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hireflow.core import pii
from hireflow.core.crypto import (
    FIELD_TOKEN_PREFIX,
    CryptoConfigError,
    IntegrityError,
    KeyNotFoundError,
    Keyring,
    MasterKey,
)
from hireflow.core.settings import Settings

probe_metadata = MetaData()
probe = Table(
    "pii_probe",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("secret", pii.EncryptedText("pii_probe.secret"), nullable=True),
    Column("other", pii.EncryptedText("pii_probe.other"), nullable=True),
    Column("secret_index", pii.BlindIndexType(), nullable=True),
)


class ProbeBase(DeclarativeBase):
    metadata = probe_metadata


class Person(ProbeBase):
    __tablename__ = "pii_people"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(pii.EncryptedText("pii_people.phone"), default="")
    phone_index: Mapped[str | None] = mapped_column(pii.BlindIndexType(), nullable=True)
    email: Mapped[str] = mapped_column(String(200), default="")


PHONE_SPEC = pii.keep_blind_index(Person, "phone", "phone_index", kind="phone")


@pytest.fixture
def tables(session):
    probe_metadata.create_all(session.connection())
    return session


@pytest.fixture
def ring():
    ring = Keyring(MasterKey.generate())
    with pii.override_keyring(ring):
        yield ring


def test_values_are_stored_as_tokens_and_read_back(tables, ring):
    session = tables
    session.execute(insert(probe).values(id=1, secret="110101199003074512", other=date(1990, 3, 7)))
    raw = session.execute(text("SELECT secret, other FROM pii_probe WHERE id = 1")).one()
    assert raw.secret.startswith(FIELD_TOKEN_PREFIX) and "110101199003074512" not in raw.secret
    assert raw.other.startswith(FIELD_TOKEN_PREFIX) and "1990" not in raw.other
    row = session.execute(select(probe.c.secret, probe.c.other).where(probe.c.id == 1)).one()
    assert row.secret == "110101199003074512"
    assert row.other == "1990-03-07"


def test_equal_values_encrypt_differently(tables, ring):
    session = tables
    session.execute(insert(probe), [{"id": 1, "secret": "same"}, {"id": 2, "secret": "same"}])
    raws = session.execute(text("SELECT secret FROM pii_probe ORDER BY id")).scalars().all()
    assert raws[0] != raws[1]


def test_null_and_empty_are_kept(tables, ring):
    session = tables
    session.execute(insert(probe), [{"id": 1, "secret": None}, {"id": 2, "secret": ""}])
    raws = session.execute(text("SELECT secret FROM pii_probe ORDER BY id")).scalars().all()
    assert raws == [None, ""]
    assert session.execute(select(probe.c.secret).order_by(probe.c.id)).scalars().all() == [
        None,
        "",
    ]


def test_token_moved_to_another_column_does_not_decrypt(tables, ring):
    session = tables
    session.execute(insert(probe).values(id=1, secret="secret value"))
    session.execute(text("UPDATE pii_probe SET other = secret WHERE id = 1"))
    with pytest.raises(IntegrityError, match=r"pii_probe\.other"):
        session.execute(select(probe.c.other).where(probe.c.id == 1)).one()


def test_tampered_and_plaintext_values_are_refused(tables, ring):
    session = tables
    session.execute(insert(probe).values(id=1, secret="secret value"))
    token = session.execute(text("SELECT secret FROM pii_probe")).scalar_one()
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    session.execute(text("UPDATE pii_probe SET secret = :t"), {"t": flipped})
    with pytest.raises(IntegrityError):
        session.execute(select(probe.c.secret)).one()
    session.execute(text("UPDATE pii_probe SET secret = :t"), {"t": token[: len(token) // 2]})
    with pytest.raises(IntegrityError):
        session.execute(select(probe.c.secret)).one()
    # Plaintext that slipped in (e.g. written before the column was encrypted) is not served.
    session.execute(text("UPDATE pii_probe SET secret = 'plain 13800138000'"))
    with pytest.raises(IntegrityError, match="not encrypted"):
        session.execute(select(probe.c.secret)).one()


def test_wrong_key_cannot_read(tables, ring):
    session = tables
    session.execute(insert(probe).values(id=1, secret="secret value"))
    with pii.override_keyring(Keyring(MasterKey.generate())), pytest.raises(KeyNotFoundError):
        session.execute(select(probe.c.secret)).one()


def test_old_key_still_reads_after_rotation(tables, ring):
    session = tables
    session.execute(insert(probe).values(id=1, secret="secret value"))
    rotated = Keyring(MasterKey.generate(), [ring.current])
    with pii.override_keyring(rotated):
        assert session.execute(select(probe.c.secret)).scalar_one() == "secret value"


def test_non_text_values_are_refused(tables, ring):
    from datetime import UTC, datetime

    with pytest.raises(Exception, match="str"):
        tables.execute(insert(probe).values(id=1, secret=42))
    with pytest.raises(Exception, match="datetime"):
        tables.execute(insert(probe).values(id=2, secret=datetime.now(UTC)))


def test_context_must_name_a_column():
    with pytest.raises(ValueError):
        pii.EncryptedText("")
    with pytest.raises(ValueError):
        pii.EncryptedText("table.column:42")


# --------------------------------------------------------------------------- keys


def test_missing_or_bad_master_key_is_a_clear_refusal(tmp_path):
    for value, message in (
        ("", "not configured"),
        ("bm90IGEga2V5", "32 bytes"),
        ("A" * 44, "32 bytes|guessable"),
    ):
        settings = Settings(data_dir=tmp_path, master_key=value)
        with pytest.raises(CryptoConfigError, match=f"HIREFLOW_MASTER_KEY.*({message})"):
            pii.keyring_from_settings(settings)


def test_development_key_refused_in_production(tmp_path):
    from hireflow.core.crypto import DEVELOPMENT_MASTER_KEY

    dev = Settings(data_dir=tmp_path, master_key=DEVELOPMENT_MASTER_KEY)
    assert pii.keyring_from_settings(dev).current.key_id
    prod = Settings(data_dir=tmp_path, env="production", master_key=DEVELOPMENT_MASTER_KEY)
    with pytest.raises(CryptoConfigError, match="development key"):
        pii.keyring_from_settings(prod)


def test_previous_keys_come_from_settings(tmp_path):
    old, new = MasterKey.generate(), MasterKey.generate()
    settings = Settings(
        data_dir=tmp_path, master_key=new.to_setting(), previous_master_keys=old.to_setting()
    )
    ring = pii.keyring_from_settings(settings)
    assert ring.key_ids == (new.key_id, old.key_id)


def test_column_secrets_still_read_during_a_rotation(tmp_path):
    """Channel credentials and calendar addresses written under the old key read while the
    old key is listed as previous (before ``rotate-keys`` reaches them); new ones use the new
    key; and building their ring does not change the process's suite."""
    from hireflow.core.crypto import default_suite, field_token_key_id
    from hireflow.notifications import keys

    old, new = MasterKey.generate(), MasterKey.generate()
    before = Settings(data_dir=tmp_path, master_key=old.to_setting())
    token = keys.encrypt_value("smtp-password", before, keys.secret_context(3, "email"))
    during = Settings(
        data_dir=tmp_path, master_key=new.to_setting(), previous_master_keys=old.to_setting()
    )
    suite = default_suite()
    assert keys.decrypt_value(token, during, keys.secret_context(3, "email")) == "smtp-password"
    fresh = keys.encrypt_value("x", during, keys.secret_context(3, "email"))
    assert field_token_key_id(fresh) == new.key_id and default_suite() is suite


def test_a_column_secret_no_key_reads_fails_as_every_encrypted_column_does(tmp_path):
    """Channel credentials and calendar addresses decrypt through ``pii.decrypt_value``: a
    stored value that is not a token, or a token moved to another row, fails with the same
    ``IntegrityError`` (naming the context, never the value); valid tokens read as before."""
    from hireflow.notifications import keys

    settings = Settings(data_dir=tmp_path, master_key=MasterKey.generate().to_setting())
    ring = keys.keyring(settings)
    context, other = keys.secret_context(3, "email"), keys.secret_context(4, "email")
    token = keys.encrypt_value("smtp-password", settings, context)
    assert keys.decrypt_value(token, settings, context) == "smtp-password"
    assert pii.decrypt_value(token, context, ring) == "smtp-password"
    for stored, where in (("smtp-password", context), (token, other)):
        with pytest.raises(IntegrityError) as theirs:
            keys.decrypt_value(stored, settings, where)
        with pytest.raises(IntegrityError) as ours:
            pii.decrypt_value(stored, where, ring)
        assert str(theirs.value) == str(ours.value)
        assert where in str(theirs.value) and "smtp-password" not in str(theirs.value)


def test_without_a_usable_key_nothing_is_written(tables, monkeypatch):
    from hireflow.core import settings as settings_module

    broken = Settings(data_dir=settings_module.get_settings().data_dir, master_key="not-a-key!")
    monkeypatch.setattr(settings_module, "get_settings", lambda: broken)
    pii.reset_keyring()
    try:
        with pytest.raises(StatementError) as caught:
            tables.execute(insert(probe).values(id=1, secret="secret value"))
        assert isinstance(caught.value.orig, CryptoConfigError)
    finally:
        monkeypatch.undo()
        pii.reset_keyring()


# --------------------------------------------------------------------------- blind index


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("phone", "+86 138-0013-8000", "13800138000"),
        ("phone", "(0)138 0013 8000", "008613800138000"),
        ("email", "Li.Na@Example.COM ", "li.na@example.com"),
        ("id_number", "11010119900307451x", "110101 19900307 451X"),
        ("birth_date", "1990年3月7日", "1990-03-07"),
        ("name", "Emily  Carter", "emily carter"),
    ],
)
def test_normalised_equal_values_share_an_index(ring, kind, a, b):
    assert pii.blind_index(a, kind, tenant_id=1) == pii.blind_index(b, kind, tenant_id=1)


def test_index_is_keyed_per_tenant_kind_and_master_key(ring):
    value = "13800138000"
    base = pii.blind_index(value, "phone", tenant_id=1)
    assert len(base) == pii.BLIND_INDEX_LENGTH and value not in base
    assert pii.blind_index(value, "phone", tenant_id=2) != base
    assert pii.blind_index(value, "text", tenant_id=1) != base
    assert pii.blind_index(value, "phone", tenant_id=1, ring=Keyring(MasterKey.generate())) != base
    assert pii.blind_index("13800138001", "phone", tenant_id=1) != base


def test_odd_legacy_values_still_index_consistently(ring):
    odd = "138-0013 ext. 5"
    assert pii.blind_index(odd, "phone") == pii.blind_index("138-0013  EXT. 5", "phone")
    with pytest.raises(ValueError):
        pii.normalise(odd, "phone")
    with pytest.raises(ValueError, match="unknown blind-index kind"):
        pii.blind_index("x", "shoe_size")


def test_lookup_values_cover_every_key_in_the_ring(ring):
    rotated = Keyring(MasterKey.generate(), [ring.current])
    old_index = pii.blind_index("13800138000", "phone", tenant_id=5)
    values = pii.blind_index_values("+86 13800138000", "phone", tenant_id=5, ring=rotated)
    assert len(values) == 2 and values[1] == old_index
    assert values[0] == pii.blind_index("13800138000", "phone", tenant_id=5, ring=rotated)


def test_orm_model_keeps_its_index_in_sync(tables, ring):
    session = tables
    person = Person(id=1, tenant_id=7, phone="+86 138 0013 8000")
    session.add(person)
    session.flush()
    assert person.phone_index == pii.blind_index("13800138000", "phone", tenant_id=7)
    found = session.scalars(
        select(Person).where(
            Person.phone_index.in_(pii.blind_index_values("13800138000", "phone", tenant_id=7))
        )
    ).one()
    assert found.id == 1
    person.phone = "13900000000"
    session.flush()
    assert person.phone_index == pii.blind_index("13900000000", "phone", tenant_id=7)
    person.phone = ""
    session.flush()
    assert person.phone_index is None
    raw = session.execute(text("SELECT phone FROM pii_people")).scalar_one()
    assert raw == ""
    assert PHONE_SPEC in pii.blind_indexes()
