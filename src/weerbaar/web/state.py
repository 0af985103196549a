"""Per-app state shared by the pages, the API and the forms: the operational store's URL.

It lives below the page and API modules so that none of them needs another to reach the store.
"""

from __future__ import annotations

import threading

from .. import settings

_lock = threading.Lock()


def store_url(app) -> str:
    """The operational store's URL for this app; the schema is upgraded once, on first use."""
    url = getattr(app.state, "store_url", None)
    if url is not None:
        return url
    with _lock:
        url = getattr(app.state, "store_url", None)
        if url is None:
            from .. import store

            home = getattr(app.state, "home", None)
            url = store.database_url(home or settings.home())
            store.upgrade(url)
            app.state.store_url = url
        return url
