#!/usr/bin/env bash
# Fetches Apache Kafka's broker jars (version pinned in pom.xml beside this script) into a cache directory for
# the integration-test broker. Idempotent: does nothing when the jars are already there.
#   cache dir: $ACCESSPROOF_KAFKA_LIBS, else ~/.cache/accessproof/kafka-<version>/libs
# Prints the cache dir on the last line of stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom" | head -n 1)"
if [[ -z "$version" ]]; then
  echo "fetch.sh: cannot read <kafka.version> from $pom" >&2
  exit 1
fi

if [[ -n "${ACCESSPROOF_KAFKA_LIBS:-}" ]]; then
  dest="$ACCESSPROOF_KAFKA_LIBS"
  # A directory someone filled by hand (e.g. the libs/ of a Kafka distribution) counts as present.
  if compgen -G "$dest/kafka_2.13-*.jar" > /dev/null; then
    echo "$dest"
    exit 0
  fi
else
  dest="$HOME/.cache/accessproof/kafka-$version/libs"
fi

# .complete is written only after a full copy, so an interrupted fetch is redone rather than trusted.
if [[ -f "$dest/.complete" ]] && compgen -G "$dest/kafka_2.13-$version.jar" > /dev/null; then
  echo "$dest"
  exit 0
fi

if ! command -v mvn > /dev/null; then
  echo "fetch.sh: mvn (Apache Maven) is required to fetch the Kafka jars" >&2
  exit 1
fi

mkdir -p "$(dirname "$dest")"
tmp="$(mktemp -d "$dest.tmp.XXXXXX")"
trap 'rm -rf "$tmp" "$tmp.log"' EXIT
echo "fetch.sh: fetching Apache Kafka $version jars into $dest" >&2
if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$tmp" > "$tmp.log" 2>&1; then
  cat "$tmp.log" >&2
  echo "fetch.sh: maven could not fetch the Kafka jars (see above)" >&2
  exit 1
fi
if ! compgen -G "$tmp/kafka_2.13-$version.jar" > /dev/null; then
  echo "fetch.sh: maven finished but kafka_2.13-$version.jar is missing" >&2
  exit 1
fi
touch "$tmp/.complete"
rm -rf "$dest" "$tmp.log"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
