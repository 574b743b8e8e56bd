"""The two CTQ widget APIs the sandbox speaks: the seed's (2021-02-19) and the later one (2021-04-27).

``SandboxConfig.options["api"]`` chooses; the seed's is the default. Every difference
below comes from diffing the two Swagger files shipped beside this module (copies of
``shared/reference/ctq-widget-api.v1.2021-02-19-seed.yaml`` and
``…2021-04-27-main.yaml``):

- auth header ``x-api-key`` became ``organization_id`` (securityDefinitions; changelog 2021-02-23);
- ``host: example.com`` over http with no basePath became ``widget.api.cadtoquote.com``,
  https, ``basePath: /api/v1``;
- ``POST /orders/{order_id}/apply-discount/{code}`` and place-order's ``discount_code``
  are gone: the later API has no discount;
- ``GET /info``: ``settings[]`` became ``processes[]`` (colours moved from the process to
  each material), ``supported_units`` is gone, ``postproductions[]`` is new at the top,
  ``default_settings`` gained ``color_id``, ``default_language`` became an object,
  languages gained ``native_name``, countries became ``{code, name, shipping_zone}``
  and ``shipping_options`` mixes delivery (``type``, ``shipping_zone``,
  ``min_fs_value``, no ``description``) and pickup (``location``, price 0) entries;
- items lost ``print_time`` and gained ``created_at``/``updated_at`` (Firestore
  timestamps) and ``postproduction_cost_difference``; the model gained
  ``thumbnail_large``/``thumbnail_small``; the order gained ``created_at``/``updated_at``;
- PATCH items no longer take ``model.units``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Api:
    """What differs between the two CTQ APIs, as data the handlers and views read."""

    name: str
    swagger: Path
    auth_header: str
    """The header carrying the organization id unless ``options["auth_header"]`` says otherwise."""
    discounts: bool
    """apply-discount exists and place-order takes ``discount_code``."""
    units_in_patch: bool
    """PATCH items may set ``model.units``."""
    later_shapes: bool
    """Answers have the 2021-04-27 shapes: timestamps, thumbnails, postproduction cost differences, the new /info."""

    @property
    def document(self) -> str:
        """How the docs name the Swagger file: its copy in ``shared/reference/``."""
        return f"shared/reference/{self.swagger.name}"


SEED = Api(
    name="2021-02-19",
    swagger=_HERE / "ctq-widget-api.v1.2021-02-19-seed.yaml",
    auth_header="x-api-key",
    discounts=True,
    units_in_patch=True,
    later_shapes=False,
)
LATER = Api(
    name="2021-04-27",
    swagger=_HERE / "ctq-widget-api.v1.2021-04-27-main.yaml",
    auth_header="organization_id",
    discounts=False,
    units_in_patch=False,
    later_shapes=True,
)
APIS = {api.name: api for api in (SEED, LATER)}
_DEFAULT_NAMES = (None, "", "default", "seed")


def api_for(options: Mapping[str, object]) -> Api:
    """The API ``options["api"]`` names (a date as written in the Swagger file names); the seed's by default."""
    name = options.get("api")
    if name in _DEFAULT_NAMES:
        return SEED
    api = APIS.get(str(name))
    if api is None:
        known = ", ".join(repr(key) for key in APIS)
        raise ValueError(f"options.api of the CTQ sandbox must be one of {known}, not {name!r}")
    return api
