#!/usr/bin/env bash
# Browser test of the dashboard (`cargo make e2e-browser`): builds the server, writes a generated
# 3-store, 30-day workbook (crates/fixtures/examples/write_export.rs), starts `storeboard` on a
# free loopback port with an empty temporary data dir, then scripts/browser/test.mjs drives
# headless Debian Chromium through playwright-core: upload through the form, every tab through
# the tab bar (no page reload), sorting, a quick date range, history back, and one full-page
# screenshot per tab into docs/screenshots/. Then a product's page (商品分析 with a store and a
# channel → a product name's link: its 4-axis chart, the crumbs 全部门店 › 门店 › 渠道 › 商品, a
# quick range staying on the page, back to 商品分析; product.png) and 💰 智能调价 (every scenario
# chip, the level select, a store that keeps the form; pricing.png; a plan saved through the
# form, its page, plan.png, and deleted through its confirm dialog). Fails on any console error,
# page error, failed request, unexpected dialog or empty chart. The server is always stopped.
#
# Needs: the Rust toolchain, node >= 20 with npm (playwright-core, pinned in
# scripts/browser/package-lock.json, is installed into scripts/browser/node_modules, which git
# ignores; no browser is downloaded), and /usr/bin/chromium. When chromium is missing it is
# installed with apt-get (as root or with passwordless sudo), with chromium-l10n and CJK and
# emoji fonts so the screenshots look as on the staff's computers; if that fails and CI=true the
# test is skipped with a SKIP line and exit 0, anywhere else it fails.
#
# Environment:
#   BROWSER_TEST_PROFILE  cargo profile of the server. Default is dev: it reuses the debug build
#                         of `cargo build`/`cargo test`, and the run takes ~35 s once built;
#                         `release` builds much longer but times the upload as in production.
#   CHROMIUM              the browser. Default is /usr/bin/chromium.
#   SCREENSHOTS           where the PNGs go. Default is docs/screenshots.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
chromium="${CHROMIUM:-/usr/bin/chromium}"
screenshots="${SCREENSHOTS:-$root/docs/screenshots}"
profile="${BROWSER_TEST_PROFILE:-dev}"
# The period the generated workbook covers (crates/fixtures/examples/write_export.rs).
from=2026-10-22
to=2026-11-20

say() { echo "== $*"; }

# ---- Chromium and fonts (Debian packages) ----
missing_packages() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}

apt_install() {
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
    command -v apt-get >/dev/null || return 1
    "${sudo[@]}" apt-get update -q && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Chinese UI strings (chromium-l10n: date inputs as 2026/10/22), CJK and emoji fonts: without
# them the screenshots differ from what the store staff see, but the test itself still holds.
extras=(chromium-l10n fonts-noto-cjk fonts-noto-color-emoji)
if [[ ! -x "$chromium" ]]; then
    say "installing Debian's chromium (not found at $chromium)"
    if ! apt_install chromium "${extras[@]}" || [[ ! -x "$chromium" ]]; then
        if [[ "${CI:-}" == "true" ]]; then
            echo "SKIP: browser test skipped: chromium could not be installed (CI=true)"
            exit 0
        fi
        echo "FAIL: chromium is missing and could not be installed (apt-get install chromium)" >&2
        exit 1
    fi
elif command -v dpkg-query >/dev/null; then
    mapfile -t missing < <(missing_packages "${extras[@]}")
    if [[ ${#missing[@]} -gt 0 ]]; then
        say "installing for the screenshots: ${missing[*]}"
        apt_install "${missing[@]}" || echo "warning: could not install ${missing[*]}; screenshots may differ" >&2
    fi
fi

# ---- playwright-core (exact version from package-lock.json, no browser download) ----
say "npm ci (scripts/browser)"
(cd scripts/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

# ---- binaries and the workbook ----
say "cargo build --profile $profile -p storeboard"
cargo build --profile "$profile" -p storeboard --bin storeboard
target_dir="$(cargo metadata --format-version 1 --no-deps | node -p 'JSON.parse(require("fs").readFileSync(0)).target_directory')"
server="$target_dir/$([[ $profile == dev ]] && echo debug || echo "$profile")/storeboard"

work="$(mktemp -d "${TMPDIR:-/tmp}/storeboard-browser.XXXXXX")"
server_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        # Graceful stop first; a second signal forces it.
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

workbook="$work/门店订单导出.xlsx"
say "writing the workbook"
cargo run -q --profile "$profile" -p storeboard-fixtures --example write_export -- "$workbook"

# ---- the server on a free port (port 0: the OS picks it; the server prints which) ----
say "starting storeboard"
"$server" --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 300); do
    url="$(grep -o 'Serving on http://[^ ]*' "$work/server.log" | head -n1 | sed 's/^Serving on //')" || true
    [[ -n "$url" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "FAIL: the server exited:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$url" ]]; then
    echo "FAIL: the server printed no 'Serving on' line within 30 s:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
say "server up at $url"

# ---- the browser ----
status=0
node scripts/browser/test.mjs --url "${url%/}/" --workbook "$workbook" --from "$from" --to "$to" \
    --screenshots "$screenshots" --chromium "$chromium" || status=$?
if [[ $status -ne 0 ]]; then
    echo "--- server log (last 40 lines)" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit "$status"
