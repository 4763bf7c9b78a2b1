#!/usr/bin/env bash
# Installs Synapse from PyPI into a virtualenv for the federation interop scenarios (idempotent: an existing venv
# with the pinned version is kept). The venv lives in interop/synapse/.venv unless SYNAPSE_VENV says otherwise.
set -euo pipefail
SYNAPSE_VERSION="1.163.2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${SYNAPSE_VENV:-$HERE/.venv}"

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import synapse, sys; sys.exit(synapse.__version__ != '$SYNAPSE_VERSION')" 2>/dev/null; then
    echo "Synapse $SYNAPSE_VERSION already installed in $VENV"
    exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/pip" install --quiet --disable-pip-version-check "matrix-synapse==$SYNAPSE_VERSION"
echo "Synapse $("$VENV/bin/python" -c 'import synapse; print(synapse.__version__)') installed in $VENV"
