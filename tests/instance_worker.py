"""One app instance for tests/test_instances.py: a separate Python process that opens its own store and does one thing.

Usage: python -m tests.instance_worker ACTION URL ORG [ARGS...]; prints one JSON line. A BuurtkaartError prints
{"error": key} (exit 3). `update` first writes READY_FILE, then waits for GO_FILE, so that two of them write at once.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from buurtkaart import citizens, keyguard, organisations
from buurtkaart import pseudonym as pseudo
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.store import open_store
from buurtkaart.vocabulary import Location

BOX = (4.33, 50.83, 4.43, 50.90)
PARK = Location("buurt", "place", "bxl:poi/2037", "Parc Josaphat - Josaphatpark", 4.3853487, 50.8633462)
WAIT_S = 60


def run(action: str, url: str, org_name: str, *args: str) -> dict:
    """Do `action` in a store of our own and return what the test reads."""
    store = open_store(url)
    try:
        org = organisations.ensure(store, org_name)
        if action == "add":
            item = vp.add(store, org, user="proces-1", layer="vindplaats", name=args[0], kind="tea_house",
                          lon=4.3725, lat=50.861, bounds=BOX)  # fmt: skip
            return {"id": item.id, "version": item.version}
        if action == "list":
            items = vp.list_items(store, org)
            return {"names": sorted(items["name"]), "notes": sorted(items["notes"])}
        if action == "update":
            item_id, version, user, ready, go = args
            Path(ready).write_text("ready", encoding="utf-8")
            deadline = time.monotonic() + WAIT_S
            while not Path(go).exists() and time.monotonic() < deadline:
                time.sleep(0.005)
            try:
                item = vp.update(store, org, item_id, user=user, expected_version=int(version), notes=f"door {user}")
            except vp.StaleEditError as stale:
                return {"stale": stale.changed_by, "current_version": stale.current_version}
            return {"ok": item.version}
        if action == "pseudonym":
            return {"pseudonym": pseudo.pseudonym(args[0], org, keyguard.key_for(store))}
        if action == "create":
            return {"code": citizens.create_citizen(store, org, reference=args[0], anchor=PARK).code}
        if action == "find":
            found = citizens.find_by_reference(store, org, args[0])
            return {"code": found.code if found else None}
        raise SystemExit(f"unknown action {action!r}")
    finally:
        store.close()


if __name__ == "__main__":
    try:
        print(json.dumps(run(*sys.argv[1:])))
    except BuurtkaartError as error:
        print(json.dumps({"error": error.key}))
        sys.exit(3)
