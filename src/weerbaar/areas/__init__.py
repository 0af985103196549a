"""Area registry: levels, hierarchy, geometry in RD New, crosswalks between divisions."""

from .crosswalk import CROSSWALK_COLUMNS, apply_crosswalk, build_crosswalk, move_counts
from .importer import read_area_file
from .registry import AREA_COLUMNS, RD_NEW, dissolve_hierarchy, repair_geometry, validate_areas

__all__ = [
    "AREA_COLUMNS",
    "CROSSWALK_COLUMNS",
    "RD_NEW",
    "apply_crosswalk",
    "move_counts",
    "build_crosswalk",
    "dissolve_hierarchy",
    "read_area_file",
    "repair_geometry",
    "validate_areas",
]
