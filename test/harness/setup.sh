#!/usr/bin/env bash
# Installs and fetches everything the test suite needs on a fresh machine (runs as `npm test`'s pretest step):
# - Apache Kafka server jars (Maven) for the real KRaft broker the integration tests start;
# - Debian's chromium (dashboard tests, driven by playwright-core) and docker-compose (offline compose validation).
set -euo pipefail
cd "$(dirname "$0")/../.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]} (Debian packages)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing ${need_apt[*]}; install them (Debian: apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

if [ -f test/harness/kafka/fetch.sh ]; then
  bash test/harness/kafka/fetch.sh
fi
