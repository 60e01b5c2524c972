#!/bin/sh
# Called by `make test`: install Debian's headless browser for the browser test
# (tests/ui/test_browser.py) when it is missing: chromium, chromium-driver (Selenium's driver,
# the same version as the browser) and fonts-noto-color-emoji (the app's page icons in the
# screenshot). Only as root with apt-get; quiet when nothing is missing or the install works.
# Never fails the test run: without a browser the test skips, or fails under CI=true, and
# says why.
set -u

need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
[ -x /usr/bin/chromedriver ] || need="$need chromium-driver"
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need="$need fonts-noto-color-emoji"
[ -n "$need" ] || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: missing$need; not root with apt-get, so not installed" >&2
    exit 0
fi

log=$(mktemp)
install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -o DPkg::Lock::Timeout=120 $need >>"$log" 2>&1
}
# Try with the package lists there are; a fresh machine has none, so update and try again.
if ! install && ! { apt-get update >>"$log" 2>&1 && install; }; then
    echo "ensure-browser: apt-get could not install$need:" >&2
    tail -n 20 "$log" >&2
fi
rm -f "$log"
exit 0
