"""The to.photo order API (v1) sandbox.

Follows the to.photo documents (TP-docs, see ``shared/targets.md`` section 3): Basic auth
per mandator and portal; ``POST /v1/orders`` makes a Temporary order whose cart the server
splits into subcarts by producer and production site (at most 9); ``/checkout`` takes the
mandator's prices, customer and payment and refuses a changed segmentation ("Carts are
different"); ``/data`` takes the ZIP as the file part ``file`` of a ``multipart/mixed``
(as documented) or ``multipart/form-data`` body (a part without filename is a form field,
as Spring sees it) and moves the order Temporary -> Transferred -> New -> Enqueued; ``PUT /status`` acknowledges Produced,
Shipped and Failed entries; ``DELETE`` cancels a Temporary order, after which reads are 410.
Errors use the documented Spring-style body. Where the documents are silent the sandbox
answers as a Spring service would: 400 for malformed JSON, a missing or mistyped field,
or a non-multipart ``/data``; 415 for a non-JSON Content-Type; 413 beyond the size limits;
422 for references that do not resolve (unknown SKU, processor or project) and for a ZIP
that is unreadable or lacks a ``payload[].name`` (see ``_zip`` and ``_orders`` for the rest).
Beyond the API:

- ``GET /_sandbox/orders`` (``?status=``): every order with readable product names,
  payload names and the ZIP's entries; ``POST /_sandbox/reset``; ``GET /_sandbox/requests``;
  ``GET /_sandbox/catalogue``: the SKU list a mandator would get from to.photo;
- ``POST /_sandbox/orders/{orderId}/advance`` with ``{"status": "Shipped", "metadata": {...}}``
  (or ``?status=``) adds a production status, as to.photo's worker would.

Defaults: user ``sandbox``, password ``sandbox-secret``, mandator 0, portal 1000
(``config.credentials`` overrides them; ``config.options["accounts"]`` adds accounts of
other mandators or portals). ``config.options`` also takes ``max_json_bytes`` and
``max_zip_bytes``.

The same requests get the same answers: order ids count up from 1230 in steps of 10,
and order dates, status dates and error timestamps come from a clock that starts at
``options["clock_start_ms"]`` and moves one second per reading (``_clock``). With
``SandboxConfig.documented_only`` every successful answer holds only the fields the
to.photo documents show (``_documented``); ``options["withhold_fields"]``
(``{"METHOD /path": [field, ...]}``) leaves out documented ones too, to play a server
whose answer lacks them. Payment providers: ``Amazon``, the one the documents name as
live, and the ones they list as planned (Advance, Invoice, Paypal, Stripe).
"""

from orderspec.sandbox.tophoto._app import create_app

__all__ = ["create_app"]
