"""The evidence log in the database: every order step becomes a record, the sequencer
integrates them, the published tiles rebuild the signed tree, vouchers verify offline, and
the audit finds every kind of tampering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from anxin.conftest import make_listing, pay, place_order
from anxin.evidence import keys, merkle, sequencer, spans, store, voucher
from anxin.evidence.audit import audit
from anxin.evidence.checkpoint import open_checkpoint
from anxin.evidence.models import Checkpoint, Pending, Record, Span
from anxin.evidence.tiles import TileClient, decode_bundle, parse_tile_path
from anxin.orders import services as orders
from anxin.orders.events import order_chain

pytestmark = pytest.mark.django_db


def _complete(buyer, listing):
    order = place_order(buyer, listing)
    pay(order)
    orders.order_ship(
        actor=listing.seller, number=order.number, carrier="SF", tracking_number="SF1234567890"
    )
    orders.order_confirm(actor=buyer, number=order.number)
    return order


def _published(client: Client):
    def fetch(path: str) -> bytes:
        resp = client.get(f"/log/{path}")
        assert resp.status_code == 200, (path, resp.status_code)
        return resp.content

    return fetch


def test_an_order_life_is_in_the_log_and_its_voucher_proves_it(buyer, seller, clock) -> None:
    # When a buyer's order is placed, paid, shipped and confirmed
    order = _complete(buyer, make_listing(seller))
    # Then each step is a pending record of the order's chain, from created to confirmed
    kinds = [r.kind for r in Record.objects.filter(chain=order_chain(order)).order_by("id")]
    assert kinds[0] == "order.created"
    assert kinds[-1] == "order.confirmed"
    assert {"order.paid", "order.shipped"} <= set(kinds)
    order_ids = Record.objects.filter(chain__startswith="order:").values_list("id", flat=True)
    assert Pending.objects.filter(id__in=order_ids).count() == len(kinds)

    # And the order has no voucher before the sequencer integrates its records
    with pytest.raises(Exception, match="not in the log yet"):
        store.voucher_for_chain(order_chain(order))
    # When the sequencer integrates the pending records
    pending = Pending.objects.count()  # the seller's, too
    # Then it integrates all of them, and the order's voucher verifies offline with each step
    assert sequencer.integrate() == pending
    cv = store.voucher_for_chain(order_chain(order))
    text, covered = cv.text, cv.covered
    v = voucher.verify(text, keys.log_verifier())
    assert [r["kind"] for r in [*v.history, v.record]] == kinds
    created = v.history[0]
    assert created["listing"]["title"] == "明前西湖龙井 250克"
    assert created["recipient"]["phone"] == "13900001111"
    assert created["amount_fen"] == order.amount_fen
    paid = next(r for r in v.history if r["kind"] == "order.paid")
    assert paid["notification"]["event"] == "payment.succeeded"
    # And the log itself holds no personal data: only kinds, times and commitments
    for r in covered:
        assert set(json.loads(bytes(r.entry))) == {"v", "kind", "at", "commitment"}
        assert "13900001111" not in bytes(r.entry).decode()


def test_the_published_tiles_rebuild_the_signed_tree(buyer, seller, clock) -> None:
    # Given 70 completed orders, more than 256 log entries, integrated in batches
    listing = make_listing(seller, stock=200)
    for _ in range(70):  # more than 256 entries: full and partial tiles
        _complete(buyer, listing)
    sequencer.integrate(batch=100)
    sequencer.integrate_all()
    # When a client fetches the log's key and signed checkpoint over HTTP
    c = Client()
    vkey = c.get("/log/key").content.decode().strip()
    # Then the key is the log's and the checkpoint is plain text that is not cached
    assert vkey == keys.log_verifier().vkey()
    resp = c.get("/log/checkpoint")
    assert resp["Content-Type"].startswith("text/plain")
    assert resp["Cache-Control"] == "no-cache"
    from anxin.evidence.note import Verifier

    # And the checkpoint opens with that key and covers every record
    cp = open_checkpoint(resp.content.decode(), Verifier.from_vkey(vkey))
    assert cp.size == Record.objects.count()
    assert cp.size > 256
    # And a client rebuilds the signed root from the published tiles alone
    client = TileClient(cp.size, _published(c))
    assert client.root() == cp.root
    # And entry bundles hold the entries whose hashes the level-0 tiles publish
    bundle = decode_bundle(c.get("/log/tile/entries/000").content)
    assert [merkle.leaf_hash(e) for e in bundle] == [client.leaf(i) for i in range(256)]
    # And a full tile is served whole and marked immutable
    full = c.get("/log/tile/0/000")
    assert full["Cache-Control"].endswith("immutable")
    assert len(full.content) == 256 * 32
    # And the partial tile is served only at the tree's width; a malformed path is not found
    rest = cp.size - 256
    assert len(c.get(f"/log/tile/entries/001.p/{rest}").content) > 0
    assert c.get(f"/log/tile/0/001.p/{rest + 1}").status_code == 404
    assert c.get("/log/tile/0/001").status_code == 404  # not full yet
    assert c.get("/log/tile/0/x001").status_code == 404  # malformed path
    # And inclusion proofs built from the tiles verify at both ends of each tile
    for i in (0, 255, 256, cp.size - 1):
        assert merkle.verify_inclusion(
            i, cp.size, client.leaf(i), client.inclusion_proof(i), cp.root
        )


def test_verify_command_and_consistency_after_more_orders(
    buyer, seller, clock, tmp_path, live_server
) -> None:
    # Given a completed order whose voucher is saved to a file
    listing = make_listing(seller, stock=100)
    order = _complete(buyer, listing)
    sequencer.integrate_all()
    text = store.voucher_for_chain(order_chain(order)).text
    vfile = tmp_path / "order.tlog-proof"
    vfile.write_text(text)
    vkey = keys.log_verifier().vkey()
    # When `anxin verify` checks the voucher with the log's key
    # Then it accepts it (a failure would exit 1)
    call_command("verify", str(vfile), "--key", vkey)
    # Given the checkpoint then, and a newer one after 30 more orders
    old = tmp_path / "old.checkpoint"
    old.write_text(store.head().note)
    for _ in range(30):
        _complete(buyer, listing)
    sequencer.integrate_all()
    new = tmp_path / "new.checkpoint"
    new.write_text(store.head().note)
    # When the newer checkpoint's consistency with the old one is verified against the live log
    # Then the command accepts it
    call_command(
        "verify",
        "--consistency",
        str(old),
        str(new),
        "--key",
        vkey,
        "--log",
        live_server.url + "/log/",
    )
    # And the old voucher still verifies against its own checkpoint
    call_command("verify", str(vfile), "--key", vkey)
    # And checking consistency backwards exits 1
    with pytest.raises(SystemExit) as e:
        call_command(
            "verify",
            "--consistency",
            str(new),
            str(old),
            "--key",
            vkey,
            "--log",
            live_server.url + "/log/",
        )
    assert e.value.code == 1


def test_consistency_fails_when_the_log_was_rewritten(
    buyer, seller, clock, tmp_path, live_server, capsys
) -> None:
    # Given a checkpoint after 8 orders and another after 8 more
    listing = make_listing(seller, stock=100)
    for _ in range(8):
        _complete(buyer, listing)
    sequencer.integrate_all()
    old = tmp_path / "old"
    old.write_text(store.head().note)
    for _ in range(8):
        _complete(buyer, listing)
    sequencer.integrate_all()
    new = tmp_path / "new"
    new.write_text(store.head().note)
    # And someone then rewrites an early entry and the tiles to match, and signs a new head
    # (old checkpoints, already handed out, cannot be re-signed)
    r = _at(3)
    Record.objects.filter(pk=r.pk).update(entry=bytes(r.entry).replace(b'"v":1', b'"v":2'))
    _rebuild_tiles()
    signer = keys.log_signer()
    from anxin.evidence.checkpoint import Checkpoint as Cp
    from anxin.evidence.tiles import TileClient as TC

    size = store.head().size
    forged_root = TC(size, lambda p: store.tile(*parse_tile_path(p))).root()
    new.write_text(Cp(signer.name, size, forged_root).signed(signer))
    # When the old checkpoint's consistency with the forged one is verified against the live log
    with pytest.raises(SystemExit):
        call_command(
            "verify",
            "--consistency",
            str(old),
            str(new),
            "--key",
            signer.verifier().vkey(),
            "--log",
            live_server.url + "/log/",
        )
    # Then the command fails saying the new tree does not extend the old one
    assert "does not extend" in capsys.readouterr().err


def _rebuild_tiles() -> None:
    from anxin.evidence.edge import RightEdge
    from anxin.evidence.models import Tile

    size = store.head().size
    at = spans.records_at(0, size)
    entries = dict(Record.objects.values_list("id", "entry"))
    leaves = [merkle.leaf_hash(bytes(entries[at[i]])) for i in range(size)]
    for (level, index), data in RightEdge(0, {}).append(leaves).items():
        Tile.objects.filter(level=level, index=index).update(data=data)


def _at(idx: int) -> Record:
    return Record.objects.get(pk=spans.record_at(idx))


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.fixture
def busy_log(buyer, seller, clock):
    listing = make_listing(seller, stock=100)
    for _ in range(12):
        _complete(buyer, listing)
    sequencer.integrate(batch=20)
    sequencer.integrate_all()
    rep = audit(keys.log_verifier())
    assert rep.ok, rep.problems
    assert rep.entries == Record.objects.count()
    assert rep.checkpoints == Checkpoint.objects.count() >= 2


def _problems() -> str:
    rep = audit(keys.log_verifier())
    assert not rep.ok
    return "\n".join(rep.problems)


T = Record._meta.db_table


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the constraints are PostgreSQL's exclusion"
)
def test_the_database_refuses_spans_that_share_an_index(busy_log) -> None:
    from django.db import IntegrityError, transaction

    # Given a busy log whose first span covers entries 0 to 19
    first = Span.objects.get(first_idx=0)
    assert first.count == 20
    ids = spans.pack([10**9])
    # When a span is written over entry 10, or an empty one after the log
    for first_idx, count in [(10, 1), (store.head().size, 0)]:
        # Then the database refuses it
        with pytest.raises(IntegrityError), transaction.atomic():
            Span.objects.create(
                first_idx=first_idx, count=count, first_id=10**9, last_id=10**9, ids=ids
            )


def test_audit_finds_an_altered_record(busy_log) -> None:
    # Given a busy log that audits clean
    # When record 5's body is altered in the database
    r = _at(5)
    _tamper(f"UPDATE {T} SET body = %s WHERE id = %s", [r.body.replace("order.", "order.x"), r.pk])
    # Then the audit names the record and its entry
    assert f"record {r.pk} (entry 5" in _problems()


def test_audit_finds_an_altered_entry(busy_log) -> None:
    # Given a busy log that audits clean
    # When entry 7's bytes are altered in the database
    r = _at(7)
    _tamper(
        f"UPDATE {T} SET entry = %s WHERE id = %s",
        [bytes(r.entry).replace(b'"v":1', b'"v":9'), r.pk],
    )
    # Then the audit says entry 7 was altered and a checkpoint no longer matches
    p = _problems()
    assert "entry 7 was altered" in p
    assert "checkpoint of size" in p


def test_the_database_queues_a_new_record_with_its_leaf_hash(buyer, seller, clock) -> None:
    # Given an order placed (its records inserted by the order path)
    order = place_order(buyer, make_listing(seller))
    # When its records are read back with their queue rows
    records = Record.objects.filter(chain=order_chain(order))
    queued = dict(Pending.objects.filter(id__in=records.values("id")).values_list("id", "leaf"))
    # Then the database hashed each entry exactly as the log's own code does (RFC 6962)
    assert records.exists()
    for r in records:
        assert bytes(queued[r.pk]) == merkle.leaf_hash(bytes(r.entry))


def test_audit_finds_a_waiting_leaf_hash_that_is_not_its_records(busy_log, buyer, seller) -> None:
    # Given a busy log that audits clean, and a new order whose records wait for the log
    order = place_order(buyer, make_listing(seller))
    waiting = Pending.objects.filter(
        id__in=Record.objects.filter(chain=order_chain(order)).values("id")
    ).first()
    assert waiting is not None
    # When that record's queued leaf hash is replaced in the database
    _tamper(
        f"UPDATE {Pending._meta.db_table} SET leaf = %s WHERE id = %s",
        [merkle.leaf_hash(b"forged"), waiting.pk],
    )
    # Then the audit names the record
    assert f"record {waiting.pk} is waiting with a leaf hash that is not its entry's" in (
        _problems()
    )


def test_audit_finds_reordered_rows(busy_log) -> None:
    # Given a busy log that audits clean
    # When entries 2 and 9 swap places in the database
    span = Span.objects.get(first_idx=0)
    ids = spans.unpack(span.ids)
    ids[2], ids[9] = ids[9], ids[2]
    Span.objects.filter(pk=0).update(ids=spans.pack(ids))
    # Then the audit says they are swapped, and that the span was rewritten
    p = _problems()
    assert "entries 2 and 9 are swapped" in p
    assert "the span at entry 0 was rewritten" in p


def test_audit_finds_a_removed_row(busy_log) -> None:
    # Given a busy log that audits clean
    # When entry 4's row is deleted
    _tamper(f"DELETE FROM {T} WHERE id = %s", [spans.record_at(4)])
    # Then the audit says entry 4 is missing
    assert "entry 4 is missing" in _problems()


def test_audit_finds_a_removed_tail(busy_log) -> None:
    # Given a busy log that audits clean
    # When the last entry, which the latest checkpoint covers, is deleted
    last = store.head().size - 1
    _tamper(f"DELETE FROM {T} WHERE id = %s", [spans.record_at(last)])
    # Then the audit says the last entry is missing and the checkpoint no longer matches
    p = _problems()
    assert f"entry {last} is missing" in p
    assert "another root" in p


def test_audit_finds_a_forged_checkpoint(busy_log) -> None:
    # Given a busy log that audits clean, and its oldest checkpoint
    cp = Checkpoint.objects.order_by("size").first()
    assert cp is not None
    # When that checkpoint's signed note gets an extra line
    _tamper(
        f"UPDATE {Checkpoint._meta.db_table} SET note = %s WHERE id = %s",
        [cp.note.replace("\n\n", "\nextra\n\n", 1), cp.pk],
    )
    # Then the audit names that checkpoint
    assert f"checkpoint of size {cp.size}" in _problems()


def test_the_audit_command_exits_1_naming_the_problem(busy_log, capsys) -> None:
    # Given a busy log
    # When `anxin evidence audit` runs
    call_command("evidence", "audit")
    # Then it reports the audit OK
    assert "audit OK" in capsys.readouterr().out
    # When entry 4's row is deleted and the audit runs again
    _tamper(f"DELETE FROM {T} WHERE id = %s", [spans.record_at(4)])
    with pytest.raises(SystemExit) as e:
        call_command("evidence", "audit")
    # Then it exits 1 naming the missing entry on stderr
    assert e.value.code == 1
    assert "entry 4 is missing" in capsys.readouterr().err


def test_the_sequencer_refuses_to_build_on_altered_tiles(busy_log, buyer, seller) -> None:
    from anxin.evidence.models import Tile

    # Given a busy log whose last level-0 tile has its first hash zeroed
    t = Tile.objects.filter(level=0).order_by("-index").first()
    assert t is not None
    Tile.objects.filter(pk=t.pk).update(data=b"\0" * 32 + bytes(t.data)[32:])
    # When a new order is recorded
    _complete(buyer, make_listing(seller))
    # Then integrating it is refused as a corrupt log
    with pytest.raises(sequencer.LogCorrupt):
        sequencer.integrate()


def test_key_file_is_created_once_and_must_match_the_origin(settings, tmp_path) -> None:
    # Given an empty keys directory
    settings.ANXIN_KEYS_DIR = tmp_path / "keys"
    # When the log signer is first asked for
    a = keys.log_signer()
    # Then its key file is created readable and writable by its owner only
    assert (tmp_path / "keys" / "log.skey").stat().st_mode & 0o777 == 0o600
    # And asked for again, the same key is read back
    keys._cache.clear()
    assert keys.log_signer().skey() == a.skey()
    keys._cache.clear()
    # When the configured log origin no longer matches the key file's
    settings.ANXIN_LOG_ORIGIN = "other.example/log"
    from django.core.exceptions import ImproperlyConfigured

    # Then the signer is refused naming the setting
    with pytest.raises(ImproperlyConfigured, match="ANXIN_LOG_ORIGIN"):
        keys.log_signer()
    keys._cache.clear()
    # And a garbage key file is refused
    Path(tmp_path / "keys" / "log.skey").write_text("garbage")
    with pytest.raises(ImproperlyConfigured, match="signer key"):
        keys.log_signer()
    keys._cache.clear()
