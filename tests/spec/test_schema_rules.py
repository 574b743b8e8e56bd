"""One failing spec per schema rule: the exact line, column, JSON path, message and hint."""

from __future__ import annotations

import pytest

from .conftest import (
    CTQ,
    CUSTOM_FLOW,
    SERVICE_PANEL,
    TOPHOTO,
    USER_PANEL,
    WriteSpec,
    problems,
)

CASES = [
    pytest.param(
        CTQ,
        "apiVersion: orderspec/v1",
        "apiVersion: orderspec/v2",
        [(1, 13, "$.apiVersion", "must be 'orderspec/v1', not 'orderspec/v2'")],
        id="apiVersion const",
    ),
    pytest.param(CTQ, "kind: Order", "kind: Ordr", [(2, 7, "$.kind", "must be 'Order', not 'Ordr'")], id="kind const"),
    pytest.param(
        CTQ,
        "budget:",
        "budjet:",
        [(28, 1, "$.budjet", "unknown key 'budjet'", "did you mean 'budget'?")],
        id="top-level unknown key",
    ),
    pytest.param(
        CTQ,
        "metadata:\n  name: test-order\n",
        "",
        [(1, 1, "$", "missing required key 'metadata'")],
        id="top-level required metadata",
    ),
    pytest.param(
        USER_PANEL,
        "items:\n  - file: models/bracket.stl\n    material: PLA\n",
        "",
        [(1, 1, "$", "missing required key 'items'")],
        id="items required",
    ),
    pytest.param(
        CTQ,
        "name: test-order",
        "name: Test_Order",
        [
            (
                4,
                9,
                "$.metadata.name",
                "the name may hold only lowercase letters, digits and dashes, starting and ending with a letter or digit",
            )
        ],
        id="metadata.name pattern",
    ),
    pytest.param(
        CTQ,
        "name: test-order",
        "name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        [(4, 9, "$.metadata.name", "is longer than 63 characters")],
        id="metadata.name too long",
    ),
    pytest.param(
        CTQ,
        "  name: test-order\n",
        "  name: test-order\n  lables: {}\n",
        [(5, 3, "$.metadata.lables", "unknown key 'lables'", "did you mean 'labels'?")],
        id="metadata unknown key",
    ),
    pytest.param(
        CTQ,
        "  name: test-order\n",
        "  name: test-order\n  labels: {team: 7}\n",
        [(5, 18, "$.metadata.labels.team", "expected text, got a number (7)", "put the value in quotes to keep it as text")],
        id="labels values are text",
    ),
    pytest.param(
        CTQ,
        "system: ctq",
        "system: CTQ",
        [
            (
                6,
                11,
                "$.target.system",
                "'CTQ' is not an allowed value",
                "did you mean 'ctq'? allowed values: 'ctq', '3yourmind-service-panel', '3yourmind-user-panel', 'tophoto'",
            )
        ],
        id="target.system enum",
    ),
    pytest.param(
        CTQ,
        "  system: ctq\n",
        "  profile: prod\n",
        [
            (
                5,
                1,
                "$.target",
                "missing required key 'system'",
                "name a built-in system (ctq, 3yourmind-user-panel, 3yourmind-service-panel, tophoto) or a custom flow with 'flow: PATH'",
            )
        ],
        id="target neither system nor flow",
    ),
    pytest.param(
        CTQ,
        "  system: ctq\n",
        "  system: ctq\n  flow: flows/custom.yaml\n",
        [(5, 1, "$.target", "write either 'system' or 'flow', not both")],
        id="target both system and flow",
    ),
    pytest.param(
        CTQ,
        "  system: ctq\n",
        "  system: ctq\n  profile: my profile\n",
        [(7, 12, "$.target.profile", "a profile name holds letters, digits, '.', '_' and '-' only")],
        id="target.profile pattern",
    ),
    pytest.param(
        CTQ,
        "  system: ctq\n",
        "  system: ctq\n  sytem: ctq\n",
        [(7, 3, "$.target.sytem", "unknown key 'sytem'", "did you mean 'system'?")],
        id="target unknown key",
    ),
    pytest.param(
        SERVICE_PANEL,
        "  system: 3yourmind-service-panel\n",
        "  system: 3yourmind-service-panel\n  options:\n    service: 1\n",
        [(8, 5, "$.target.options.service", "unknown key 'service'", "did you mean 'service_id'?")],
        id="options unknown key",
    ),
    pytest.param(
        SERVICE_PANEL,
        "  system: 3yourmind-service-panel\n",
        "  system: 3yourmind-service-panel\n  options:\n    service_id: one\n",
        [(8, 17, "$.target.options.service_id", "expected a whole number, got text ('one')")],
        id="options.service_id type",
    ),
    pytest.param(
        SERVICE_PANEL,
        "  system: 3yourmind-service-panel\n",
        "  system: 3yourmind-service-panel\n  options:\n    service_id: 0\n",
        [(8, 17, "$.target.options.service_id", "must be at least 1, not 0")],
        id="options.service_id minimum",
    ),
    pytest.param(
        CTQ,
        "  system: ctq\n",
        "  system: ctq\n  options:\n    language: English\n",
        [(8, 15, "$.target.options.language", "a two-letter lowercase language code such as 'en' or 'de'")],
        id="options.language pattern",
    ),
    pytest.param(
        CTQ,
        "  email: jane@example.com",
        "  emial: jane@example.com",
        [
            (7, 1, "$.customer", "missing required key 'email'"),
            (9, 3, "$.customer.emial", "unknown key 'emial'", "did you mean 'email'?"),
        ],
        id="customer unknown key",
    ),
    pytest.param(
        CTQ,
        "  email: jane@example.com",
        "  email: jane.example.com",
        [(9, 10, "$.customer.email", "not an email address")],
        id="customer.email pattern",
    ),
    pytest.param(USER_PANEL, "items:", "customer: {}\nitems:", [(7, 1, "$.customer", "must not be empty")], id="customer empty"),
    pytest.param(
        CTQ,
        "    city: Berlin",
        "    town: Berlin",
        [
            (11, 3, "$.addresses.shipping", "missing required key 'city'"),
            (
                15,
                5,
                "$.addresses.shipping.town",
                "unknown key 'town'",
                "allowed keys: name, first_name, last_name, title, company, department, street, house_number, street2, zip, city, state, country, phone, email",
            ),
        ],
        id="address unknown key",
    ),
    pytest.param(
        CTQ,
        "country: DE",
        "country: de",
        [(16, 14, "$.addresses.shipping.country", "a country is an ISO 3166-1 alpha-2 code in capitals, e.g. 'DE'")],
        id="address.country pattern",
    ),
    pytest.param(
        USER_PANEL,
        "items:",
        "addresses:\n  shipping: {}\nitems:",
        [(8, 3, "$.addresses.shipping", "must not be empty")],
        id="address empty",
    ),
    pytest.param(
        CTQ,
        'zip: "10115"',
        "zip: 10115",
        [
            (
                14,
                10,
                "$.addresses.shipping.zip",
                "expected text, got a number (10115)",
                "put the value in quotes to keep it as text",
            )
        ],
        id="address.zip is text",
    ),
    pytest.param(
        CTQ,
        "  shipping:\n    name",
        "  shiping:\n    name",
        [
            (10, 1, "$.addresses", "missing required key 'shipping'"),
            (11, 3, "$.addresses.shiping", "unknown key 'shiping'", "did you mean 'shipping'?"),
        ],
        id="addresses unknown role",
    ),
    pytest.param(
        USER_PANEL,
        "items:\n  - file: models/bracket.stl\n    material: PLA\n",
        "items: []\n",
        [(7, 8, "$.items", "needs at least 1 entry")],
        id="items empty",
    ),
    pytest.param(
        USER_PANEL,
        "items:\n  - file: models/bracket.stl\n    material: PLA\n",
        "items:\n  file: models/bracket.stl\n",
        [(8, 3, "$.items", "expected a list, got a mapping")],
        id="items is a list",
    ),
    pytest.param(
        USER_PANEL,
        "  - file: models/bracket.stl\n    material: PLA\n",
        "  - material: PLA\n",
        [(8, 5, "$.items[0]", "missing required key 'file'")],
        id="item.file required",
    ),
    pytest.param(
        USER_PANEL,
        "file: models/bracket.stl",
        'file: ""',
        [(8, 11, "$.items[0].file", "must not be empty")],
        id="item.file not empty",
    ),
    pytest.param(
        CTQ,
        "unit: mm",
        "unit: in",
        [(19, 11, "$.items[0].unit", "'in' is not an allowed value", "did you mean 'inch'? allowed values: 'mm', 'inch'")],
        id="item.unit enum",
    ),
    pytest.param(
        CTQ,
        "quantity: 2",
        "quantity: 0",
        [(24, 15, "$.items[0].quantity", "must be at least 1, not 0")],
        id="item.quantity minimum",
    ),
    pytest.param(
        CTQ,
        "quantity: 2",
        "quantity: 1000000",
        [(24, 15, "$.items[0].quantity", "must be at most 100000, not 1000000")],
        id="item.quantity maximum",
    ),
    pytest.param(
        CTQ,
        "quantity: 2",
        "quantity: two",
        [(24, 15, "$.items[0].quantity", "expected a whole number, got text ('two')")],
        id="item.quantity type",
    ),
    pytest.param(
        CTQ,
        "quantity: 2",
        "quantity: 2.5",
        [(24, 15, "$.items[0].quantity", "expected a whole number, got a number (2.5)")],
        id="item.quantity fraction",
    ),
    pytest.param(
        CTQ,
        "    color: White",
        "    colour: White",
        [(23, 5, "$.items[0].colour", "unknown key 'colour'", "did you mean 'color'?")],
        id="item unknown key",
    ),
    pytest.param(
        CTQ,
        "[Dyeing]",
        "[Dyeing, Dyeing]",
        [(25, 31, "$.items[0].post_processing[1]", "'Dyeing' is listed twice")],
        id="item.post_processing unique",
    ),
    pytest.param(
        CTQ,
        "[Dyeing]",
        "Dyeing",
        [(25, 22, "$.items[0].post_processing", "expected a list, got text ('Dyeing')")],
        id="item.post_processing list",
    ),
    pytest.param(
        CTQ,
        "customer:\n  name: Jane Doe\n  email: jane@example.com\n",
        "",
        [(1, 1, "$", "missing required key 'customer'")],
        id="ctq needs customer",
    ),
    pytest.param(
        CTQ,
        "  email: jane@example.com\n",
        "",
        [(7, 1, "$.customer", "missing required key 'email'")],
        id="ctq needs customer.email",
    ),
    pytest.param(
        CTQ,
        'addresses:\n  shipping:\n    name: Jane Doe\n    street: Hauptstrasse 1\n    zip: "10115"\n    city: Berlin\n    country: DE\n',
        "",
        [(1, 1, "$", "missing required key 'addresses'")],
        id="ctq needs addresses",
    ),
    pytest.param(
        CTQ,
        '  shipping:\n    name: Jane Doe\n    street: Hauptstrasse 1\n    zip: "10115"\n    city: Berlin\n    country: DE\n',
        '  billing:\n    name: Jane Doe\n    street: Hauptstrasse 1\n    zip: "10115"\n    city: Berlin\n    country: DE\n',
        [(10, 1, "$.addresses", "missing required key 'shipping'")],
        id="ctq needs shipping address",
    ),
    pytest.param(
        CTQ,
        "    street: Hauptstrasse 1\n",
        "",
        [(11, 3, "$.addresses.shipping", "missing required key 'street'")],
        id="ctq address needs street",
    ),
    pytest.param(
        CTQ,
        "    name: Jane Doe\n    street",
        "    first_name: Jane\n    street",
        [(11, 3, "$.addresses.shipping", "the recipient needs 'name', or 'first_name' and 'last_name'")],
        id="ctq address needs a name",
    ),
    pytest.param(
        CTQ,
        "shipping:\n  method: Express delivery\n",
        "",
        [(1, 1, "$", "missing required key 'shipping'")],
        id="ctq needs shipping",
    ),
    pytest.param(
        CTQ,
        "    process: SLS\n",
        "",
        [
            (
                18,
                5,
                "$.items[0]",
                "missing required key 'process'",
                "CTQ slices every model with a process, a material and a quality",
            )
        ],
        id="ctq item needs process",
    ),
    pytest.param(
        CTQ,
        "    quality: Standard\n",
        "",
        [
            (
                18,
                5,
                "$.items[0]",
                "missing required key 'quality'",
                "CTQ slices every model with a process, a material and a quality",
            )
        ],
        id="ctq item needs quality",
    ),
    pytest.param(
        CTQ,
        "  - file: models/bracket.stl\n",
        '  - sku: "1"\n    files: [photos/mug.jpg]\n    file: models/bracket.stl\n',
        [
            (18, 5, "$.items[0].sku", "unknown key 'sku'", "photo products (sku, files) are ordered with target.system tophoto"),
            (
                19,
                5,
                "$.items[0].files",
                "unknown key 'files'",
                "photo products (sku, files) are ordered with target.system tophoto",
            ),
        ],
        id="ctq items are 3D models",
    ),
    pytest.param(
        CTQ,
        "  method: Express delivery\n",
        "  instructions: ring twice\n",
        [(26, 1, "$.shipping", "missing required key 'method'")],
        id="shipping.method required",
    ),
    pytest.param(
        SERVICE_PANEL,
        "  method: Invoice\n",
        "  methd: Invoice\n",
        [
            (14, 1, "$.payment", "missing required key 'method'"),
            (15, 3, "$.payment.methd", "unknown key 'methd'", "did you mean 'method'?"),
        ],
        id="payment.method required",
    ),
    pytest.param(
        SERVICE_PANEL,
        "  search: Maria Ortega\n",
        '  phone: "+49 30 1"\n',
        [(7, 1, "$.customer", "the Service Panel finds the customer among its users: add 'search', 'email' or 'name'")],
        id="service panel needs a customer to search",
    ),
    pytest.param(
        SERVICE_PANEL,
        "payment:\n  method: Invoice\n",
        "",
        [(1, 1, "$", "missing required key 'payment'")],
        id="service panel needs payment",
    ),
    pytest.param(
        SERVICE_PANEL,
        "    material: PA12 White\n",
        "",
        [
            (
                10,
                5,
                "$.items[0]",
                "missing required key 'material'",
                "3YOURMIND offers are chosen by material name, e.g. 'PA12 White'",
            )
        ],
        id="service panel item needs material",
    ),
    pytest.param(
        USER_PANEL,
        "shipping:\n  method: Express Shipping\n",
        "",
        [(1, 1, "$", "missing required key 'shipping'")],
        id="user panel needs shipping",
    ),
    pytest.param(
        USER_PANEL,
        "    material: PLA\n",
        "    unit: inch\n",
        [
            (
                8,
                5,
                "$.items[0]",
                "missing required key 'material'",
                "3YOURMIND offers are chosen by material name, e.g. 'PA12 White'",
            )
        ],
        id="user panel item needs material",
    ),
    pytest.param(
        TOPHOTO,
        "locale: de_DE\n",
        "",
        [(1, 1, "$", "missing required key 'locale'", "to.photo orders carry a locale such as 'de_DE'")],
        id="tophoto needs locale",
    ),
    pytest.param(
        TOPHOTO,
        "callback_url: https://shop.example.com/hook\n",
        "",
        [(1, 1, "$", "missing required key 'callback_url'", "to.photo calls this URL back when the order changes")],
        id="tophoto needs callback_url",
    ),
    pytest.param(
        TOPHOTO,
        "locale: de_DE",
        "locale: de-DE",
        [(7, 9, "$.locale", "a locale looks like 'de_DE': language, underscore, country")],
        id="locale pattern",
    ),
    pytest.param(
        TOPHOTO,
        "callback_url: https://shop.example.com/hook",
        "callback_url: shop.example.com/hook",
        [(8, 15, "$.callback_url", "not an http(s) URL")],
        id="callback_url pattern",
    ),
    pytest.param(
        TOPHOTO,
        "method: Standard",
        "method: Expres",
        [
            (
                23,
                11,
                "$.shipping.method",
                "'Expres' is not an allowed value",
                "did you mean 'Express'? allowed values: 'Standard', 'Express'",
            )
        ],
        id="tophoto shipping method enum",
    ),
    pytest.param(
        TOPHOTO,
        '  - sku: "14631000"\n',
        "  - file: models/bracket.stl\n",
        [
            (20, 5, "$.items[0]", "missing required key 'sku'"),
            (20, 5, "$.items[0].file", "unknown key 'file'", "to.photo orders photo products: 'sku' and 'files'"),
        ],
        id="tophoto items need sku",
    ),
    pytest.param(
        TOPHOTO,
        "    files: [photos/mug.jpg]\n",
        "    quantity: 1\n",
        [(20, 5, "$.items[0]", "missing required key 'files'")],
        id="photo item needs files",
    ),
    pytest.param(
        TOPHOTO,
        "files: [photos/mug.jpg]",
        "files: []",
        [(21, 12, "$.items[0].files", "needs at least 1 entry")],
        id="photo item files not empty",
    ),
    pytest.param(
        TOPHOTO,
        'sku: "14631000"',
        "sku: 14631000",
        [(20, 10, "$.items[0].sku", "expected text, got a number (14631000)", "put the value in quotes to keep it as text")],
        id="photo sku is text",
    ),
    pytest.param(
        TOPHOTO,
        'sku: "14631000"',
        'sku: "1463 1000"',
        [(20, 10, "$.items[0].sku", "a SKU holds letters, digits, '.', '_' and '-' only")],
        id="photo sku pattern",
    ),
    pytest.param(
        CTQ, "  currency: EUR\n", "", [(28, 1, "$.budget", "missing required key 'currency'")], id="budget needs currency"
    ),
    pytest.param(
        CTQ,
        "max_total: 100",
        "max_total: 0",
        [(29, 14, "$.budget.max_total", "must be more than 0, not 0")],
        id="budget positive",
    ),
    pytest.param(
        CTQ,
        "currency: EUR",
        "currency: Euro",
        [(30, 13, "$.budget.currency", "a currency is a three-letter ISO 4217 code in capitals, e.g. 'EUR'")],
        id="budget currency pattern",
    ),
    pytest.param(
        CTQ,
        "max_total: 100",
        "max_total: lots",
        [(29, 14, "$.budget.max_total", "expected a number, got text ('lots')")],
        id="budget is a number",
    ),
    pytest.param(
        USER_PANEL,
        "payment:",
        "reference: rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\npayment:",
        [(12, 12, "$.reference", "is longer than 200 characters")],
        id="reference length",
    ),
    pytest.param(
        USER_PANEL,
        "payment:",
        "discount_code: 10\npayment:",
        [(12, 16, "$.discount_code", "expected text, got a number (10)", "put the value in quotes to keep it as text")],
        id="discount_code text",
    ),
    pytest.param(
        USER_PANEL,
        "payment:",
        "reference: 2024-06-01\npayment:",
        [(12, 12, "$.reference", "expected text, got a date (2024-06-01)", "put the value in quotes to keep it as text")],
        id="reference as a date",
    ),
    pytest.param(
        CTQ, "apiVersion: orderspec/v1\n", "", [(1, 1, "$", "missing required key 'apiVersion'")], id="apiVersion required"
    ),
    pytest.param(
        USER_PANEL,
        "target:\n  system: 3yourmind-user-panel\n",
        "",
        [(1, 1, "$", "missing required key 'target'")],
        id="target required",
    ),
    pytest.param(
        CTQ,
        "  name: test-order\n",
        "  description: no name\n",
        [(3, 1, "$.metadata", "missing required key 'name'")],
        id="metadata.name required",
    ),
    pytest.param(
        CTQ,
        "metadata:\n  name: test-order\n",
        "metadata: test-order\n",
        [(3, 11, "$.metadata", "expected a mapping of keys to values, got text ('test-order')")],
        id="metadata is a mapping",
    ),
    pytest.param(
        CTQ,
        "  currency: EUR\n",
        "  currency: EUR\n  limit: 5\n",
        [(31, 3, "$.budget.limit", "unknown key 'limit'", "allowed keys: max_total, currency")],
        id="budget unknown key",
    ),
    pytest.param(
        CTQ,
        "  method: Express delivery\n",
        "  method: Express delivery\n  carrier: DHL\n",
        [(28, 3, "$.shipping.carrier", "unknown key 'carrier'", "allowed keys: method, instructions")],
        id="shipping unknown key",
    ),
    pytest.param(
        USER_PANEL,
        "payment:",
        "notes: nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\npayment:",
        [(12, 8, "$.notes", "is longer than 2000 characters")],
        id="notes length",
    ),
    pytest.param(
        USER_PANEL,
        "items:\n  - file: models/bracket.stl\n    material: PLA\n",
        "items:\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n  - {file: models/bracket.stl, material: PLA}\n",
        [(8, 3, "$.items", "has 101 entries; at most 100 are allowed")],
        id="items maximum",
    ),
    pytest.param(
        TOPHOTO,
        "files: [photos/mug.jpg]",
        "files: [photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg, photos/mug.jpg]",
        [(21, 12, "$.items[0].files", "has 101 entries; at most 100 are allowed")],
        id="photo files maximum",
    ),
    pytest.param(
        TOPHOTO,
        "files: [photos/mug.jpg]",
        'files: [photos/mug.jpg, ""]',
        [(21, 29, "$.items[0].files[1]", "must not be empty")],
        id="photo file entry not empty",
    ),
    pytest.param(
        TOPHOTO,
        "items:",
        "  billing:\n    city: Munich\nitems:",
        [
            (19, 3, "$.addresses.billing", "missing required key 'country'"),
            (19, 3, "$.addresses.billing", "missing required key 'street'"),
            (19, 3, "$.addresses.billing", "missing required key 'zip'"),
            (19, 3, "$.addresses.billing", "the recipient needs 'name', or 'first_name' and 'last_name'"),
        ],
        id="tophoto billing address complete",
    ),
    pytest.param(
        SERVICE_PANEL,
        "search: Maria Ortega",
        "search: [Maria]",
        [(8, 11, "$.customer.search", "expected text, got a list")],
        id="customer.search is text",
    ),
    pytest.param(
        USER_PANEL,
        "  - file: models/bracket.stl\n    material: PLA\n",
        "  - models/bracket.stl\n",
        [(8, 5, "$.items[0]", "expected a mapping of keys to values, got text ('models/bracket.stl')")],
        id="item is a mapping",
    ),
    pytest.param(
        CTQ,
        "  system: ctq\n",
        "  system: ctq\n  options: [en]\n",
        [(7, 12, "$.target.options", "expected a mapping of keys to values, got a list")],
        id="options are a mapping",
    ),
    pytest.param(
        CUSTOM_FLOW, "anything: goes", "base_url: http://127.0.0.1:9/\n    retries: 3", [], id="custom flow options are free"
    ),
]


@pytest.mark.parametrize(("base", "old", "new", "expected"), CASES)
def test_schema_rule(write_spec: WriteSpec, base: str, old: str, new: str, expected: list[tuple]) -> None:
    path = write_spec(base, replace=(old, new))
    found = [(p.location.line, p.location.column, p.json_path, p.message) + ((p.hint,) if p.hint else ()) for p in problems(path)]
    assert found == expected
    assert all(p.location.file == str(path) for p in problems(path))


@pytest.mark.parametrize("base", [CTQ, SERVICE_PANEL, USER_PANEL, TOPHOTO])
def test_base_specs_are_valid(write_spec: WriteSpec, base: str) -> None:
    assert problems(write_spec(base)) == []
