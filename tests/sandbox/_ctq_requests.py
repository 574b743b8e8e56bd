"""Request pieces the CTQ sandbox tests share: the API headers and a valid place-order body."""

from __future__ import annotations

HEADERS = {"x-api-key": "sandbox-org", "language": "en"}
OCTET = {"Content-Type": "application/octet-stream"}
SLS_PA12 = {"process_id": "sls", "material_id": "sls-pa12", "quality_id": "sls-standard"}
ADDRESS = {
    "full_name": "Jonas Weber",
    "country_id": "DE",
    "postal_code": "10115",
    "city": "Berlin",
    "street_address": "Invalidenstraße 117",
    "email": "jonas.weber@example.com",
    "shipping_option": "standard-delivery",
}
