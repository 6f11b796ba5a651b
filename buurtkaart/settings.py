"""Every setting of Buurtkaart in one place: environment variables, coordinate systems, thresholds, distances.

This is the only module that reads ``os.environ``. Each variable is read when it is asked for (not at
import), so a changed environment (a test, a restarted app) is seen at once.

| variable | meaning | default |
|---|---|---|
| ``BUURTKAART_CACHE_DIR`` | folder for derived caches and the default SQLite file | ``~/.cache/buurtkaart`` |
| ``BUURTKAART_DATABASE_URL`` | the shared database (PostgreSQL + PostGIS) | none: a SQLite file |
| ``BUURTKAART_SQLITE_PATH`` | where the SQLite file is kept | ``<cache dir>/buurtkaart.sqlite`` |
| ``BUURTKAART_PSEUDONYM_KEY`` | the pseudonym key itself (at least 32 random bytes) | none: the key file |
| ``BUURTKAART_KEY_FILE`` | the pseudonym key file | ``~/.config/buurtkaart/pseudonym.key`` |
| ``BUURTKAART_SESSION_IDLE_MINUTES`` | a signed-in session ends after this many idle minutes | ``30`` |
| ``BUURTKAART_HISTORY_MONTHS`` | vindplaatsen history older than this many months is purged at start | none: kept |
| ``BUURTKAART_TRUSTED_PROXY`` | the reverse proxy's addresses or networks (comma-separated): only a connection from one of them has its client taken from ``X-Forwarded-For`` | none: the connection's own address |

Distances are in metres. Geometry is stored in ``CRS`` (WGS 84 degrees); a distance or a buffer is
computed in ``METRIC_CRS`` (Belgian Lambert 72, metres), never as a number of degrees.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

# --- environment variables ---
CACHE_DIR_ENV = "BUURTKAART_CACHE_DIR"
DATABASE_URL_ENV = "BUURTKAART_DATABASE_URL"
SQLITE_PATH_ENV = "BUURTKAART_SQLITE_PATH"
PSEUDONYM_KEY_ENV = "BUURTKAART_PSEUDONYM_KEY"
KEY_FILE_ENV = "BUURTKAART_KEY_FILE"
HISTORY_MONTHS_ENV = "BUURTKAART_HISTORY_MONTHS"
SESSION_IDLE_MINUTES_ENV = "BUURTKAART_SESSION_IDLE_MINUTES"
TRUSTED_PROXY_ENV = "BUURTKAART_TRUSTED_PROXY"

# --- accounts ---
SESSION_IDLE_MINUTES = 30.0  # default idle time after which a signed-in session ends
PASSWORD_MIN_LENGTH = 12
SIGN_IN_FREE_FAILURES = 5  # failed sign-ins (per account and per client) before each further one waits
SIGN_IN_BASE_DELAY_S = 2.0  # the first wait; it doubles with every further failure
SIGN_IN_MAX_DELAY_S = 900.0  # the longest wait (15 minutes)

# --- time ---
TIMEZONE = "Europe/Brussels"  # every time shown to a user is in Brussels time (the store keeps UTC)

# --- coordinate reference systems ---
CRS = "EPSG:4326"  # every layer, the store and every export: longitude/latitude in degrees (WGS 84)
METRIC_CRS = "EPSG:31370"  # Belgian Lambert 72: metres, for buffers and distances in and around Brussels

# --- privacy ---
MIN_GROUP = 5  # a group of fewer citizens or residents is never shown as a number ("fewer than 5")

# --- distances (metres) ---
STREET_MARGIN_M = 150.0  # a cut area keeps the streets and green this close around its edge
BOUNDARY_SMOOTHING_M = 10.0  # closing gaps between the sectors of a commune when they are joined
FLAT_HULL_M = 50.0  # a loaded area whose street nodes lie on a line is widened this much
BUURT_VIEW_MARGIN_M = 430.0  # the buurt view of a network opens on its anchor and buurt ties with this margin
BUURT_BACKGROUND_M = 300.0  # the buurt view of a network draws streets and green this far around its ties
ANALYSE_STREETS_M = 150.0  # the analyse map draws the streets this close around the analysed area
NEAREST_STREET_M = 250.0  # a map click further than this from every named street names no street


def environ(name: str) -> str:
    """Return an environment variable without surrounding spaces ("" when it is not set)."""
    return os.environ.get(name, "").strip()


def cache_dir() -> Path:
    """Return the folder for derived caches (BUURTKAART_CACHE_DIR, else ~/.cache/buurtkaart), made if missing."""
    folder = Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "buurtkaart")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def database_url() -> str:
    """Return BUURTKAART_DATABASE_URL ("" when it is not set: the SQLite file is used)."""
    return environ(DATABASE_URL_ENV)


def sqlite_path() -> Path:
    """Return where the SQLite file is kept: BUURTKAART_SQLITE_PATH, else the cache folder."""
    return Path(environ(SQLITE_PATH_ENV) or cache_dir() / "buurtkaart.sqlite").expanduser()


def pseudonym_key() -> str:
    """Return BUURTKAART_PSEUDONYM_KEY ("" when it is not set: the key file is used)."""
    return environ(PSEUDONYM_KEY_ENV)


def history_months() -> str:
    """Return BUURTKAART_HISTORY_MONTHS as typed: how many months of history to keep ("" keeps all)."""
    return environ(HISTORY_MONTHS_ENV)


def session_idle_minutes() -> float:
    """Return BUURTKAART_SESSION_IDLE_MINUTES (a positive number), else the default of 30 minutes."""
    try:
        minutes = float(environ(SESSION_IDLE_MINUTES_ENV) or SESSION_IDLE_MINUTES)
    except ValueError:
        return SESSION_IDLE_MINUTES
    return minutes if minutes > 0 else SESSION_IDLE_MINUTES


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Return the networks of BUURTKAART_TRUSTED_PROXY (``127.0.0.1``, ``10.0.0.0/8, ::1``…); () when it is not set.

    Raises ValueError naming an entry that is no address or network (a wrong setting is never silently ignored).
    """
    networks = []
    for entry in environ(TRUSTED_PROXY_ENV).split(","):
        if entry.strip():
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError as exc:
                msg = f"{TRUSTED_PROXY_ENV}: {entry.strip()!r} is no IP address or network"
                raise ValueError(msg) from exc
    return tuple(networks)


def child_environment(*, pythonpath: str) -> dict[str, str]:
    """Return this process's environment for a child process, with `pythonpath` first on its PYTHONPATH."""
    path = environ("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": pythonpath + (os.pathsep + path if path else "")}


def key_file() -> Path:
    """Return where the pseudonym key file is kept: BUURTKAART_KEY_FILE, else ~/.config/buurtkaart/pseudonym.key."""
    configured = environ(KEY_FILE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".config" / "buurtkaart" / "pseudonym.key"
