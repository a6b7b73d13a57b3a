#!/usr/bin/env bash
# Publishes a self-contained kvpr (the GPU box has no .NET) and packs it where the device tool carries it from.
# On the box: mkdir -p /tmp/k && tar -xJf gpu-bundle/kvpr.tar.xz -C /tmp/k && /tmp/k/kvpr selftest --device cuda
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bundle="${1:-$repo/gpu-bundle}"
publish="$(mktemp -d)"
trap 'rm -rf "$publish"' EXIT
dotnet publish "$repo/src/Cli" -c Release -r linux-x64 --self-contained -o "$publish"
mkdir -p "$bundle"
tar -cJf "$bundle/kvpr.tar.xz" -C "$publish" .
echo "$bundle/kvpr.tar.xz"
