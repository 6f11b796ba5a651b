"""Two app instances on one database (issue 10, item 7): separate processes see each other's changes, keep the
stale-edit rule between them and share one pseudonym key (another key is refused, never silently used)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from buurtkaart import pseudonym as pseudo
from buurtkaart import settings
from tests.store_fixtures import database_url_fixture, postgres_admin_fixture  # noqa: F401  (database_url)

ROOT = Path(__file__).resolve().parent.parent
KEY = "a-test-key-that-is-long-enough-0123"
TIMEOUT_S = 120
ORG = "LDC De Buurt"


def environment(**changes: str | None) -> dict[str, str]:
    """Return a child's environment: this repository first on its path, the shared key unless `changes` say otherwise."""
    env = settings.child_environment(pythonpath=str(ROOT))
    env[pseudo.KEY_ENV] = KEY
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start one instance (a new Python process) doing one action."""
    command = [sys.executable, "-m", "tests.instance_worker", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env or environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(process: subprocess.Popen[str]) -> dict:
    """Return what an instance printed (its last line, JSON); fail with its errors when it printed none."""
    out, err = process.communicate(timeout=TIMEOUT_S)
    lines = out.strip().splitlines()
    assert lines, err[-2000:]
    return json.loads(lines[-1])


def test_two_instances_see_each_others_changes_and_only_one_stale_edit_wins(database_url: str, tmp_path: Path) -> None:
    added = result(start("add", database_url, ORG, "Theehuis Assalam"))
    assert added["version"] == 1
    assert result(start("list", database_url, ORG))["names"] == ["Theehuis Assalam"]  # another process sees it
    ready = [tmp_path / "ready-1", tmp_path / "ready-2"]
    go = tmp_path / "go"
    racers = [
        start("update", database_url, ORG, added["id"], "1", f"proces-{i + 1}", str(ready[i]), str(go)) for i in range(2)
    ]
    deadline = time.monotonic() + TIMEOUT_S
    while not all(p.exists() for p in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.write_text("go", encoding="utf-8")  # both write at the same moment, with the same expected version
    outcomes = [result(p) for p in racers]
    winners = [o for o in outcomes if "ok" in o]
    losers = [o for o in outcomes if "stale" in o]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    winner = f"proces-{outcomes.index(winners[0]) + 1}"
    assert winners[0]["ok"] == 2 and losers[0] == {"stale": winner, "current_version": 2}  # names who changed it
    assert result(start("list", database_url, ORG))["notes"] == [f"door {winner}"]  # the loser overwrote nothing


def test_two_instances_derive_the_same_pseudonyms_and_find_each_others_citizens(database_url: str) -> None:
    first, second = (start("pseudonym", database_url, ORG, "Dossier 2024/17") for _ in range(2))
    assert result(first)["pseudonym"] == result(second)["pseudonym"]
    code = result(start("create", database_url, ORG, "dossier 2024/17"))["code"]
    assert result(start("find", database_url, ORG, " DOSSIER 2024/17 "))["code"] == code


def test_an_instance_with_another_key_is_refused(database_url: str, tmp_path: Path) -> None:
    result(start("create", database_url, ORG, "dossier 1"))
    other = start("find", database_url, ORG, "dossier 1", env=environment(**{pseudo.KEY_ENV: "another-key-that-is-long-enough-4567"}))
    assert result(other) == {"error": "error.key_mismatch"}
    # a second server with no key of its own: it must not make a new one while the store holds citizens
    fresh = environment(**{pseudo.KEY_ENV: None, settings.KEY_FILE_ENV: str(tmp_path / "new" / "pseudonym.key")})
    assert result(start("find", database_url, ORG, "dossier 1", env=fresh)) == {"error": "error.key_missing"}
    assert not (tmp_path / "new" / "pseudonym.key").exists()


def test_instances_with_their_own_new_key_files_do_not_both_start_using_them(database_url: str, tmp_path: Path) -> None:
    envs = [
        environment(**{pseudo.KEY_ENV: None, settings.KEY_FILE_ENV: str(tmp_path / f"server-{i}" / "pseudonym.key")})
        for i in range(2)
    ]
    outcomes = [result(p) for p in [start("pseudonym", database_url, ORG, "dossier 1", env=env) for env in envs]]
    assert sorted("error" in o for o in outcomes) == [False, True], outcomes  # the first key is the store's; the other refused
    # refused as another key (both made one at once) or as a missing key (the store already had one: no new key is made)
    [refusal] = [o["error"] for o in outcomes if "error" in o]
    assert refusal in {"error.key_mismatch", "error.key_missing"}
