"""``python -m orderspec.targets``: write the order-spec schema of this checkout from the descriptors."""

from __future__ import annotations

import json
from pathlib import Path

from orderspec.targets._schema import compose_order_schema

path = Path(__file__).resolve().parents[2] / "schemas" / "order-spec.schema.json"
schema = compose_order_schema(json.loads(path.read_text(encoding="utf-8")))
path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {path}")
