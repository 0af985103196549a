"""weerbaar: neighbourhood data for Amsterdam's drugs programme "Weerbare mensen, weerbare wijken".

The package links the city's data per area, finds where drug crime and vulnerability
concentrate, and shows what police figures miss. See README.md and docs/.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("weerbaar")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

from .errors import ConfigError, InputError, NotBuiltError, SourceError, WarehouseError, WeerbaarError

__all__ = [
    "__version__",
    "ConfigError",
    "InputError",
    "NotBuiltError",
    "SourceError",
    "WarehouseError",
    "WeerbaarError",
]
