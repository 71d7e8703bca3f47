#!/usr/bin/env python3
"""Check the examples of specs/customer-managed.yaml and the seed-sample fixtures.

1. Every media-type `example`/`examples` value (request bodies, responses, also through
   `$ref`s to components) and every parameter/schema `example` must validate against its schema.
2. Every tests/fixtures/seed-samples/<SchemaName>--<description>.json must validate against
   components.schemas.<SchemaName> (a JSON array is checked item by item; its description must
   start with `list-`).

Validation is strict about undocumented fields: object schemas that declare `properties` but
say nothing about `additionalProperties` are checked as if `additionalProperties: false`, so a
sample carrying a field the schema does not declare fails. OpenAPI 3.0 `nullable: true` is
converted to a JSON Schema type union.

Usage: check_examples.py [SPEC] [FIXTURE_DIR]   (defaults relative to the repo root)
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def make_format_checker() -> jsonschema.FormatChecker:
    checker = copy.deepcopy(jsonschema.Draft4Validator.FORMAT_CHECKER)
    for fmt, (lo, hi) in INT_RANGES.items():
        def check(value, lo=lo, hi=hi):
            if isinstance(value, bool) or not isinstance(value, int):
                return True
            return lo <= value <= hi
        checker.checks(fmt)(check)
    return checker


def to_json_schema(node, strict: bool = True):
    """Convert an OpenAPI 3.0 schema object (recursively) to a Draft 4 JSON schema."""
    if isinstance(node, list):
        return [to_json_schema(n, strict) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: to_json_schema(v, strict) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value, strict)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(v, strict) for v in value]
        elif key in ("example", "nullable", "readOnly", "writeOnly", "deprecated",
                     "discriminator", "xml", "externalDocs"):
            continue
        else:
            out[key] = copy.deepcopy(value)
    if node.get("nullable") is True:
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
    if (strict and "properties" in node and "additionalProperties" not in node
            and not any(k in node for k in ("allOf", "anyOf", "oneOf"))):
        out["additionalProperties"] = False
    return out


class Checker:
    def __init__(self, spec: dict):
        self.spec = spec
        self.schemas = spec.get("components", {}).get("schemas", {})
        self.defs = {name: to_json_schema(s) for name, s in self.schemas.items()}
        self.format_checker = make_format_checker()
        self.errors: list[str] = []
        self.checked = 0
        self.failed = 0

    def resolve(self, node):
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise ValueError(f"cannot resolve $ref {ref}")
            seen.add(ref)
            target = self.spec
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def validate(self, where: str, schema: dict, value) -> None:
        doc = {"allOf": [to_json_schema(schema)],
               "components": {"schemas": self.defs}}
        validator = jsonschema.Draft4Validator(doc, format_checker=self.format_checker)
        self.checked += 1
        errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
        if errors:
            self.failed += 1
        for err in errors:
            path = "/".join(str(p) for p in err.path) or "<root>"
            self.errors.append(f"{where}: at {path}: {err.message}")

    def check_media(self, where: str, media: dict) -> None:
        schema = media.get("schema")
        if "example" in media:
            if schema is None:
                self.errors.append(f"{where}: example without schema")
            else:
                self.validate(f"{where} example", schema, media["example"])
        for name, ex in (media.get("examples") or {}).items():
            ex = self.resolve(ex)
            if schema is None:
                self.errors.append(f"{where}: examples.{name} without schema")
            elif "value" not in ex:
                self.errors.append(f"{where}: examples.{name} has no value")
            else:
                self.validate(f"{where} examples.{name}", schema, ex["value"])

    def check_parameters(self, where: str, params) -> None:
        for p in params or []:
            p = self.resolve(p)
            if "example" in p and "schema" in p:
                self.validate(f"{where} parameter {p['name']} example", p["schema"], p["example"])
            for name, ex in (p.get("examples") or {}).items():
                ex = self.resolve(ex)
                if "value" in ex and "schema" in p:
                    self.validate(f"{where} parameter {p['name']} examples.{name}",
                                  p["schema"], ex["value"])

    def check_spec(self) -> None:
        for path, item in self.spec.get("paths", {}).items():
            self.check_parameters(path, item.get("parameters"))
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                where = f"{method.upper()} {path}"
                self.check_parameters(where, op.get("parameters"))
                if "requestBody" in op:
                    body = self.resolve(op["requestBody"])
                    for ctype, media in body.get("content", {}).items():
                        self.check_media(f"{where} request {ctype}", media)
                for status, resp in op.get("responses", {}).items():
                    resp = self.resolve(resp)
                    for ctype, media in (resp.get("content") or {}).items():
                        self.check_media(f"{where} response {status} {ctype}", media)
        for name, schema in self.schemas.items():
            self.check_schema_examples(f"components.schemas.{name}", schema)

    def check_schema_examples(self, where: str, schema) -> None:
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        if "example" in schema:
            self.validate(f"{where} example", schema, schema["example"])
        for key, sub in (schema.get("properties") or {}).items():
            self.check_schema_examples(f"{where}.{key}", sub)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                self.check_schema_examples(f"{where}.{key}", schema[key])

    def check_fixtures(self, fixture_dir: Path) -> int:
        files = sorted(fixture_dir.glob("*.json"))
        for f in files:
            schema_name, sep, desc = f.stem.partition("--")
            if not sep or not desc:
                self.errors.append(f"{f.name}: name is not <SchemaName>--<description>.json")
                continue
            if schema_name not in self.schemas:
                self.errors.append(f"{f.name}: no component schema named {schema_name!r}")
                continue
            value = json.loads(f.read_text(encoding="utf-8"))
            ref = {"$ref": f"#/components/schemas/{schema_name}"}
            if isinstance(value, list):
                if not desc.startswith("list-"):
                    self.errors.append(f"{f.name}: array sample but description lacks 'list-'")
                self.validate(f.name, {"type": "array", "items": ref}, value)
            else:
                self.validate(f.name, ref, value)
        return len(files)


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else ROOT / "specs" / "customer-managed.yaml"
    fixture_dir = Path(argv[2]) if len(argv) > 2 else ROOT / "tests" / "fixtures" / "seed-samples"
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    checker = Checker(spec)
    checker.check_spec()
    spec_checks = checker.checked
    n_files = checker.check_fixtures(fixture_dir)
    if n_files == 0:
        checker.errors.append(f"{fixture_dir}: no seed-sample files found")
    fixture_checks = checker.checked - spec_checks
    for e in checker.errors:
        print(f"ERROR: {e}", file=sys.stderr)
    total = spec_checks + fixture_checks
    print(f"check_examples: {spec_checks} spec example(s), {fixture_checks} seed sample file(s) checked")
    print(f"{total - checker.failed} passed, {checker.failed} failed")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
