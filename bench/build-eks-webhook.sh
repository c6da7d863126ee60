#!/usr/bin/env bash
# Builds aws/amazon-eks-pod-identity-webhook from a source checkout, for the side-by-side
# admission benchmark (bench/webhook.ts). The one change: it listens on 127.0.0.1 instead of
# every interface (upstream binds ":port"), so the benchmark stays on loopback.
# Usage: bench/build-eks-webhook.sh SOURCE_DIR   (a git checkout; the commit keys the cache)
set -euo pipefail
src="${1:?usage: $0 SOURCE_DIR (a checkout of aws/amazon-eks-pod-identity-webhook)}"
CACHE="${MINIO_IRSA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minio-irsa}"
commit="$(git -C "$src" rev-parse --short=8 HEAD)"
out="$CACHE/eks-pod-identity-webhook-$commit"
if [ -x "$out/amazon-eks-pod-identity-webhook" ]; then echo "$out/amazon-eks-pod-identity-webhook"; exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
grep -q 'Sprintf(":%d", \*port)' "$work/main.go" || { echo "main.go no longer binds \":%d\"; update this script" >&2; exit 1; }
sed -i 's/Sprintf(":%d", \*port)/Sprintf("127.0.0.1:%d", *port)/; s/Sprintf(":%d", \*metricsPort)/Sprintf("127.0.0.1:%d", *metricsPort)/' "$work/main.go"
mkdir -p "$out.tmp"
(cd "$work" && CGO_ENABLED=0 go build -o "$out.tmp/amazon-eks-pod-identity-webhook" .) >&2
mv "$out.tmp" "$out"
echo "$out/amazon-eks-pod-identity-webhook"
