"""Order specs: loading, schema and semantic validation, and the validated ``Order``.

order = load_spec("specs/examples/ctq-bracket.yaml")   # raises SpecError
report = validate_paths(["specs/"])                     # never raises for bad specs
"""

from orderspec.spec._load import (
    SpecResult,
    ValidationReport,
    check_spec,
    load_spec,
    validate_paths,
)
from orderspec.spec._order import Order
from orderspec.spec._problems import Problem, SpecError, format_path
from orderspec.spec._schema import order_schema
from orderspec.spec._sniff import Kind, sniff

__all__ = [
    "Kind",
    "Order",
    "Problem",
    "SpecError",
    "SpecResult",
    "ValidationReport",
    "check_spec",
    "format_path",
    "load_spec",
    "order_schema",
    "sniff",
    "validate_paths",
]
