#!/usr/bin/env bash
# Makes the pinned Pulumi toolchain available: the CLI, the Node language host and the
# dynamic-provider launcher. Uses a `pulumi` already on PATH when its version fits;
# otherwise builds from the Go module proxy into a cache outside the repository.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"

die() { printf 'toolchain: %s\n' "$*" >&2; exit 1; }

installed_version() { "$1" version 2>/dev/null | tr -d 'v' || true; }

# 1. A Pulumi installed the normal way, with its language host beside it.
if existing=$(command -v pulumi) && [ "$existing" != "$PULUMI_NETNS_TOOLCHAIN_BIN/pulumi" ]; then
  v=$(installed_version "$existing")
  if [ "${v%%.*}" = 3 ] && [ -n "$v" ] && command -v pulumi-language-nodejs >/dev/null \
     && command -v pulumi-resource-pulumi-nodejs >/dev/null \
     && [ "$(printf '%s\n%s\n' "$PULUMI_VERSION" "$v" | sort -V | head -n1)" = "$PULUMI_VERSION" ]; then
    echo "toolchain: using the installed Pulumi $v at $existing"
    exit 0
  fi
fi

# 2. Already built into the cache by an earlier run (stamped with the pinned go.sum files).
stamp=$(cat "$here"/engine/go.sum "$here"/langhost/go.sum "$here"/versions.env | sha256sum | cut -c1-16)
if [ -x "$PULUMI_NETNS_TOOLCHAIN_BIN/pulumi" ] && [ "$(cat "$PULUMI_NETNS_TOOLCHAIN_BIN/.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "toolchain: Pulumi $PULUMI_VERSION (built) at $PULUMI_NETNS_TOOLCHAIN_BIN"
  exit 0
fi

# 3. Build it.
command -v go >/dev/null || die "no usable Pulumi (need $PULUMI_VERSION or newer 3.x with pulumi-language-nodejs) and no Go toolchain to build one.
Install Pulumi the normal way (https://www.pulumi.com/docs/install/) or install Go >= 1.25 and rerun 'npm run toolchain'."
echo "toolchain: building Pulumi $PULUMI_VERSION from the Go module proxy (first run only; several minutes on 2 cores)"
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -trimpath -buildvcs=false"
tmp="$PULUMI_NETNS_TOOLCHAIN_BIN.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
ldflag() { echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$1"; }
(cd "$here/engine" && go build -tags osusergo,grpcnotrace -ldflags "$(ldflag "$PULUMI_VERSION")" \
   -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) \
  || die "building the Pulumi CLI failed (see the Go output above)"
(cd "$here/langhost" && go build -tags osusergo,grpcnotrace -ldflags "$(ldflag "$PULUMI_LANGHOST_VERSION")" \
   -o "$tmp/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs) \
  || die "building the Node language host failed (see the Go output above)"
# The dynamic-provider launcher is a shell script shipped in the SDK module of the pinned release.
sdkdir=$(cd "$here/engine" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdkdir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$tmp/"
echo "$stamp" > "$tmp/.stamp"
rm -rf "$PULUMI_NETNS_TOOLCHAIN_BIN" && mkdir -p "$(dirname "$PULUMI_NETNS_TOOLCHAIN_BIN")"
mv "$tmp" "$PULUMI_NETNS_TOOLCHAIN_BIN"
trap - EXIT
"$PULUMI_NETNS_TOOLCHAIN_BIN/pulumi" version
echo "toolchain: Pulumi $PULUMI_VERSION built at $PULUMI_NETNS_TOOLCHAIN_BIN"
