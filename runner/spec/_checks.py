"""Checks the schema cannot express: files on disk, country codes, the targets' own limits.

They run on every spec, even one the schema refused, so an author sees all problems
at once; each check therefore looks at the types it is given before trusting them.
The same pass builds the normalised ``Order.data`` (defaults filled, files resolved).
"""

from __future__ import annotations

import math
import os
import re
import stat as stat_module
from dataclasses import dataclass, field
from typing import Any

from orderspec._yaml import Document
from orderspec.spec._countries import COMMON_MISTAKES, ISO_ALPHA2
from orderspec.spec._problems import JsonPath, Problem
from orderspec.spec._sniff import Kind, sniff
from orderspec.targets import SkuLimit, SpecRules, systems

_NO_RULES = SpecRules()
_UNSAFE = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters but tab and newline, and the bidirectional overrides that reorder text on screen."""
_CONTROL_HINT = "remove it: escape sequences and carriage returns can make a terminal show something else than what is sent"


@dataclass
class Checked:
    """The outcome of the semantic pass over one spec."""

    problems: list[Problem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    flow: str | None = None


@dataclass
class RunCache:
    """What one validation run learns about the file system, shared by its specs.

    A file referenced by many specs is resolved and sniffed once per run; a new run
    (a new ``RunCache``) looks again.
    """

    links: dict[str, bool] = field(default_factory=dict)
    files: dict[tuple[str, str, str, SpecRules], tuple[str | None, tuple[str, str, str | None] | None]] = field(default_factory=dict)


def check(document: Document, folder: str, cache: RunCache | None = None) -> Checked:
    """Run every semantic check on ``document``, whose file lives in ``folder`` (absolute)."""
    return _Checker(document, folder, cache or RunCache()).run()


class _Checker:
    def __init__(self, document: Document, folder: str, cache: RunCache) -> None:
        self.document = document
        self.folder = folder
        self.cache = cache
        self.out = Checked()

    def problem(self, path: JsonPath, message: str, code: str, hint: str | None = None, *, key: bool = False) -> None:
        self.out.problems.append(Problem(self.document.locate(path, key=key), path, message, code, hint))

    def run(self) -> Checked:
        source = self.document.data
        data = _copy(source) if isinstance(source, dict) else {}
        self.out.data = data
        self._values(data, ())
        target = data.get("target")
        system = target.get("system") if isinstance(target, dict) else None
        rules = systems()[system].rules if isinstance(system, str) and system in systems() else _NO_RULES
        if isinstance(target, dict) and isinstance(target.get("flow"), str):
            data["target"] = target = dict(target)
            flow = self._flow(target["flow"])
            if flow:
                target["flow_path"] = self.out.flow = flow
        items = data.get("items")
        if isinstance(items, list):
            data["items"] = [self._item(item, index, rules) for index, item in enumerate(items)]
            if rules.sku_limit is not None:
                self._distinct_skus(data["items"], rules.sku_limit)
        addresses = data.get("addresses")
        if isinstance(addresses, dict):
            data["addresses"] = self._addresses(addresses)
        return self.out

    # -- values --------------------------------------------------------------------

    def _values(self, value: Any, path: JsonPath) -> None:
        """Text a terminal would act on (escape sequences, carriage returns, direction overrides) and
        numbers that are not numbers: refused, so what a person reviews is what is sent."""
        if isinstance(value, str):
            if not value.isprintable():
                match = _UNSAFE.search(value)
                if match is not None:
                    char = match.group()
                    self.problem(path, f"contains the control character U+{ord(char):04X}", "value.control", _CONTROL_HINT)
        elif isinstance(value, float):
            if not math.isfinite(value):
                self.problem(path, f"{value!r} is not an amount or a count", "value.not_finite", "write a finite number")
        elif isinstance(value, dict):
            for key, item in value.items():
                self._values(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._values(item, (*path, index))

    # -- files ---------------------------------------------------------------------

    def _flow(self, written: str) -> str | None:
        path = os.path.normpath(os.path.join(self.folder, os.path.expanduser(written)))
        if not os.path.exists(path):
            self.problem(("target", "flow"), f"flow file {written!r} does not exist", "flow.missing", _siblings(path))
            return None
        if not os.path.isfile(path):
            self.problem(("target", "flow"), f"{written!r} is not a regular file", "flow.not_file")
            return None
        return path

    def _file(self, written: Any, where: JsonPath, want: str, rules: SpecRules) -> str | None:
        """Resolve a referenced file; report and return None when it cannot be used."""
        if not isinstance(written, str) or not written:
            return None
        key = (self.folder, written, want, rules)
        resolved = self.cache.files.get(key)
        if resolved is None:
            resolved = self.cache.files[key] = _resolve(self.folder, written, want, rules, self.cache)
        path, issue = resolved
        if issue is not None or path is None:
            if issue is not None:
                self.problem(where, *issue)
            return None
        self.out.files.append(path)
        return path

    # -- items ---------------------------------------------------------------------

    def _item(self, item: Any, index: int, rules: SpecRules) -> Any:
        if not isinstance(item, dict):
            return item
        item = dict(item)
        where = ("items", index)
        quantity = item.setdefault("quantity", 1)
        if isinstance(quantity, float) and quantity.is_integer():  # the schema lets 2.0 pass as an integer
            self.problem(
                where + ("quantity",),
                f"quantity must be a whole number, not {quantity!r}",
                "quantity.integer",
                f"write {int(quantity)}",
            )
        if "sku" in item or rules.photo_items:
            files = item.get("files")
            if isinstance(files, list):
                paths = [self._file(name, where + ("files", position), "image", rules) for position, name in enumerate(files)]
                item["paths"] = paths
        else:
            item.setdefault("unit", "mm")
            item.setdefault("post_processing", [])
            if "file" in item:
                item["path"] = self._file(item["file"], where + ("file",), "model", rules)
        return item

    def _distinct_skus(self, items: list[Any], limit: SkuLimit) -> None:
        skus = {item.get("sku") for item in items if isinstance(item, dict) and isinstance(item.get("sku"), str)}
        if len(skus) > limit.count:
            self.problem(
                ("items",),
                f"{len(skus)} different SKUs; {limit.reason}",
                limit.code,
                "split the items over several orders",
                key=True,
            )

    # -- addresses -----------------------------------------------------------------

    def _addresses(self, addresses: dict[str, Any]) -> dict[str, Any]:
        addresses = dict(addresses)
        for role in ("shipping", "billing"):
            address = addresses.get(role)
            if isinstance(address, dict):
                country = address.get("country")
                if isinstance(country, str) and len(country) == 2 and country.isupper() and country not in ISO_ALPHA2:
                    hint = COMMON_MISTAKES.get(country, "use an ISO 3166-1 alpha-2 code such as 'DE', 'AT', 'GB' or 'US'")
                    self.problem(
                        ("addresses", role, "country"),
                        f"{country!r} is not an ISO 3166-1 alpha-2 country code",
                        "country.unknown",
                        hint,
                    )
        if isinstance(addresses.get("shipping"), dict) and "billing" not in addresses:
            addresses["billing"] = addresses["shipping"]
        return addresses


Issue = tuple[str, str, str | None]
"""message, code, hint"""


def _resolve(folder: str, written: str, want: str, rules: SpecRules, cache: RunCache) -> tuple[str | None, Issue | None]:
    """The absolute path ``written`` names in ``folder``, or why it cannot be used."""
    if "\0" in written:  # a quoted "\0" escape; the file system calls below would raise on it
        return None, (f"{written!r} contains a NUL character", "file.missing", "no file name can hold one; remove it")
    if os.path.isabs(written) or written.startswith("~"):
        return None, (f"{written!r} is an absolute path", "file.absolute", "write the path relative to the spec's folder")
    relative = os.path.normpath(written)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None, (
            f"{written!r} points outside the spec's folder",
            "file.outside",
            "keep model and photo files beside the spec or in a folder below it",
        )
    path = os.path.join(folder, relative)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None, (f"{written!r} does not exist", "file.missing", _siblings(path))
    except OSError as exc:
        return None, (f"cannot read {written!r}: {exc.strerror}", "file.unreadable", None)
    if stat_module.S_ISLNK(info.st_mode) or (os.sep in relative and _has_link(folder, relative, cache.links)):
        real_folder = os.path.realpath(folder)
        real = os.path.realpath(path)
        if os.path.commonpath([real, real_folder]) != real_folder:
            return None, (
                f"{written!r} is a symbolic link that leads outside the spec's folder",
                "file.outside",
                "copy the file into the spec's folder",
            )
        try:
            info = os.stat(real)
        except OSError:
            return None, (f"{written!r} is a broken symbolic link", "file.missing", None)
    if not stat_module.S_ISREG(info.st_mode):
        what = "a folder" if stat_module.S_ISDIR(info.st_mode) else "not a regular file"
        return None, (f"{written!r} is {what}", "file.not_regular", "name a file")
    kind = sniff(path, info)
    if want == "model":
        if not kind.is_model:
            return None, (
                f"{written!r} is {_article(kind)}, not a 3D model",
                "file.kind",
                "3D items take binary or ASCII STL, OBJ or 3MF files",
            )
        formats = rules.model_formats
        if formats is not None and kind.model_format not in formats:
            accepted = " or ".join(sorted(name.upper() for name in formats))
            return None, (
                f"{written!r} is {_article(kind)}; {rules.title} accepts {accepted} models only",
                "file.kind",
                f"export the model as {accepted}",
            )
    elif not kind.is_image:
        return None, (
            f"{written!r} is {_article(kind)}, not a JPEG or PNG image",
            "file.kind",
            "photo items take JPEG or PNG files",
        )
    limit = rules.max_upload_bytes
    if limit is not None and info.st_size > limit:
        return None, (
            f"{written!r} is {info.st_size:,} bytes; {rules.title} accepts files of at most {limit:,} bytes",
            "file.too_large",
            "a model with fewer triangles (binary STL is smaller than ASCII), or a photo of lower resolution",
        )
    return path, None


def _copy(value: Any) -> Any:
    """A copy of plain data, so callers may change ``Order.data`` without touching cached documents."""
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


def _has_link(folder: str, relative: str, links: dict[str, bool]) -> bool:
    """Whether a folder between ``folder`` and the file ``relative`` is a symbolic link."""
    current = folder
    for part in relative.split(os.sep)[:-1]:
        current = os.path.join(current, part)
        link = links.get(current)
        if link is None:
            links[current] = link = os.path.islink(current)
        if link:
            return True
    return False


def _siblings(path: str) -> str | None:
    """A hint naming the closest existing file in the same folder."""
    import difflib

    folder, name = os.path.split(path)
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _article(kind: Kind) -> str:
    value = kind.value
    if value.startswith(("an ", "a ")):
        return value
    return ("an " if value[0] in "AEIOU" else "a ") + value
