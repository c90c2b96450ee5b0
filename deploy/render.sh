#!/usr/bin/env bash
# Prints a deploy file with its ${NAME} placeholders filled: `deploy/render.sh FILE NAME=value ...`. Fails, naming
# them, if any placeholder is left unfilled, so no half-rendered spec reaches gcloud. Cloud Build and the docs
# both render through this.
set -euo pipefail
file="$1"
shift
args=()
for pair in "$@"; do
  args+=(-e "s|\\\${${pair%%=*}}|${pair#*=}|g")
done
rendered="$(sed "${args[@]}" "$file")"
left="$(grep -o '\${[A-Z_][A-Z0-9_]*}' <<<"$rendered" | sort -u | tr '\n' ' ' || true)"
if [ -n "$left" ]; then
  echo "render.sh: $file still has $left- pass them as NAME=value." >&2
  exit 1
fi
printf '%s\n' "$rendered"
