"""The CTQ widget API sandbox, held to the Swagger of its API: the seed's
(``ctq-widget-api.v1.2021-02-19-seed.yaml``, the default) or, with
``options["api"] = "2021-04-27"``, the later one (``…2021-04-27-main.yaml``; see ``_api``
for every difference). Both files ship beside this module, unchanged.

Every request is checked against the Swagger (a breach gets the documented 422
``{"errors": [{"<field>": "Invalid value"}]}``); in strict mode (the default) every answer
is checked too, and one that would break the Swagger becomes a 500 naming the breach,
is logged, and is listed at ``GET /_sandbox/contract``. With ``documented_only`` every
successful answer holds only the fields its Swagger lists (``_documented``);
``options["withhold_fields"]`` (``{"METHOD /path": [field, ...]}``) leaves out documented
ones too, to play a server whose answer lacks them.

Served at the root (the seed has no basePath) and under ``/api/v1`` (the later base path),
in both APIs. Answers are the same for the same requests: ids come from a generator
seeded with ``options["seed"]`` (default 0), times from a counter starting at
``options["clock_start"]`` (see ``_ids``); only signed URLs' ``expires`` and ``signature``
query parameters follow the wall clock.
Options (``SandboxConfig.options``): ``api``, ``auth_header`` (default ``x-api-key``, or
``organization_id`` in the 2021-04-27 API), ``signed_url_seconds`` (upload URL lifetime, default 3600),
``download_url_seconds`` (default 5 days), ``info_changed_once`` (``true``: the next PATCH
or place-order answers 500 "Info has been changed", once; ``"patch"`` or ``"place-order"``:
only that operation does; ``/_sandbox/reset`` re-arms it). ``analysis_seconds`` makes each
slicing PATCH take that long; ``analysis_failure`` makes slicing fail (422).
The organization id is ``sandbox-org`` unless ``credentials["organization_id"]`` says otherwise.

Inferences where the documents are silent (``shared/targets.md``):

- Auth and ``language`` problems are 422s on every operation, listed together:
  ``x-api-key: Header parameter API Key isn't specified`` (``organization_id: Parameter is
  missing`` with the later header), ``...: Organization with the specified ID not found``,
  ``language: Parameter is missing``, ``language: Language isn't supported``.
- ``active`` is the editable cart; ``place-order`` makes it ``pending``; a placed order is no
  longer editable: PATCH, DELETE, apply-discount, get-signed-urls and a second place-order
  answer 422 ``order_id: Order isn't active``.
- 2021-04-27: a ``model.units`` or ``discount_code`` a client still sends is ignored (that
  API has neither); place-order's ``shipping_option`` may name a pickup entry and its
  ``country_id`` is ``supported_countries[].code``; ``shipping_zone`` is not enforced;
  ``min_fs_value`` is only shown; thumbnails (a 1x1 PNG) are listed from the start, as
  the Swagger requires them.
- An invalid discount code (apply-discount) answers 404 ``{"error": "Discount code not found"}``,
  the only client error the seed documents there; an invalid ``discount_code`` in
  place-order is a 422 on that field.
- Slicing is synchronous: the first PATCH of an item needs ``process_id``, ``material_id`` and
  ``quality_id`` (422 ``items[i].<field>: Parameter is missing``) and the uploaded file
  (422 ``items[i].id: Model hasn't been uploaded``); an unknown item id is a 404.
- Prices: see ``catalogue.yaml``; ``vat`` is a percentage; ``price_exc_vat`` covers the whole
  quantity; nothing is priced before slicing; ``min_order_surcharge`` is the net amount
  missing to ``min_order_value`` (not part of the subtotals). Place-order takes ``country_id`` =
  ``supported_countries[].id`` and ``shipping_option`` = ``shipping_options[].id``, and refuses
  an order with no items or with an item never sliced.
- DELETE answers 200 with ``{}``; ``order_number`` counts up from "10001".
- Signed URLs are GCS-like (see ``_storage``): 403 XML on a wrong content type, a wrong
  signature or after expiry; 404 ``NoSuchKey`` when downloading a file never uploaded.
"""

from __future__ import annotations

from starlette.applications import Starlette

from orderspec.sandbox._config import SandboxConfig

__all__ = ["create_app"]


def create_app(config: SandboxConfig) -> Starlette:
    """A fresh CTQ sandbox app with its own in-memory state."""
    from orderspec.sandbox.ctq._app import build_app

    return build_app(config)
