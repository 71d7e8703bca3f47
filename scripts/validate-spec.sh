#!/usr/bin/env bash
# Validate specs/customer-managed.yaml with openapi-spec-validator, then check that every
# example in the spec and every seed sample in tests/fixtures/seed-samples validates against
# its schema (scripts/check_examples.py).
#
# Uses a Python venv at target/pyenv (created on first run, pinned packages from PyPI).
# Set PYTHON to choose the interpreter that creates the venv (default: python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/target/pyenv"
SPEC="$ROOT/specs/customer-managed.yaml"

# Pinned tool versions.
PINS=(
  "openapi-spec-validator==0.9.0"
  "jsonschema==4.26.0"
  "PyYAML==6.0.3"
)

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "Creating Python venv at $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
fi

# Install the pins unless exactly these versions are already present.
if ! "$VENV/bin/python" - "${PINS[@]}" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    if version(name) != want:
        sys.exit(1)
EOF
then
  echo "Installing ${PINS[*]} into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
fi

echo "== openapi-spec-validator $SPEC"
"$VENV/bin/openapi-spec-validator" "$SPEC"

echo "== check_examples.py"
"$VENV/bin/python" "$ROOT/scripts/check_examples.py" "$SPEC" "$ROOT/tests/fixtures/seed-samples"

echo "validate-spec: OK"
