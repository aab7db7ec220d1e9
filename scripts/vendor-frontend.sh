#!/usr/bin/env bash
# Re-fetches the pinned front-end libraries the dashboard embeds (crates/dashboard/static/vendor)
# from the npm registry, checks each tarball against its published sha512 integrity, and keeps
# each library's licence beside it. The vendored files are committed: building and running the
# server never needs the network. Bump a version here, run this script, commit the result.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/crates/dashboard/static/vendor"

# name  version  integrity  files-to-keep (paths inside the tarball's package/ dir)
fetch() {
    local name=$1 version=$2 integrity=$3 dir=$4
    shift 4
    local tmp
    tmp="$(mktemp -d)"
    local url="https://registry.npmjs.org/${name}/-/${name##*/}-${version}.tgz"
    curl -fsSL "$url" -o "$tmp/pkg.tgz"
    local got
    got="sha512-$(openssl dgst -sha512 -binary "$tmp/pkg.tgz" | base64 -w0)"
    if [[ "$got" != "$integrity" ]]; then
        echo "integrity mismatch for $name@$version: $got" >&2
        exit 1
    fi
    tar -xzf "$tmp/pkg.tgz" -C "$tmp"
    mkdir -p "$vendor/$dir"
    for f in "$@"; do
        cp "$tmp/package/$f" "$vendor/$dir/$(basename "$f")"
    done
    echo "$name@$version" >"$vendor/$dir/VERSION"
    rm -rf "$tmp"
}

fetch htmx.org 2.0.11 \
    'sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==' \
    htmx dist/htmx.min.js LICENSE
fetch echarts 5.6.0 \
    'sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA==' \
    echarts dist/echarts.min.js LICENSE NOTICE
echo "vendored into $vendor"
