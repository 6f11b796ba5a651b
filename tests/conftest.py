"""Browser fixtures: the app served by Streamlit, a headless Chromium and a fresh page per test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 60


def _free_port() -> int:
    """Return a TCP port that is free on this machine right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    """Return whether the Streamlit server at `url` answers its health check with "ok"."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server's whole process group, killing it if it does not stop in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def region():
    """Return the embedded whole-Brussels area, loaded once for the whole run."""
    from buurtkaart.area import load_embedded

    return load_embedded()


@pytest.fixture(scope="session")
def walk(region):
    """Return the walking graph of the whole region, built once for the whole run."""
    from buurtkaart.graph import walk_graph

    return walk_graph(region)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Start `streamlit run app.py` on a free port and return its base URL, e.g. http://localhost:8765."""
    port = _free_port()
    url = f"http://localhost:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    cache = tmp_path_factory.mktemp("buurtkaart_cache")
    env = {**os.environ, "BUURTKAART_CACHE_DIR": str(cache), "BUURTKAART_KEY_FILE": str(cache / "pseudonym.key")}
    env.pop("BUURTKAART_DATABASE_URL", None)
    env.pop("BUURTKAART_SQLITE_PATH", None)
    env.pop("BUURTKAART_PSEUDONYM_KEY", None)
    from tests.signin import STORES, create_accounts

    create_accounts(cache / "buurtkaart.sqlite")  # tests.signin.ACCOUNTS, before the server starts (issue 10)
    STORES[url] = cache / "buurtkaart.sqlite"
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port),
        "--server.headless", "true",
        # Other work may edit the sources during a run: serve the code as it was at start-up.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {process.returncode}" if process.poll() is not None else "not healthy"
                pytest.fail(
                    f"Streamlit server {state} after {SERVER_START_SECONDS} s at most; its log:\n"
                    + log_path.read_text(errors="replace")
                )
            time.sleep(0.25)
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser():
    """Return a headless Chromium (the system's, not a Playwright download) for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def request_log() -> list[str]:
    """Return the list that the `page` fixture fills with every URL the page requests."""
    return []


@pytest.fixture
def page(browser, request_log: list[str]):
    """Return a fresh page in its own context; every request, from any frame, goes to `request_log`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.on("request", lambda request: request_log.append(request.url))
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


BROWSER_RERUNS = 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each browser test two more tries: a real Chromium on a busy 2-core runner sometimes loses a
    race with a Streamlit rerun. A broken feature still fails all three; every rerun is listed in the report."""
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.flaky(reruns=BROWSER_RERUNS, reruns_delay=2))
