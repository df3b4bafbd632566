#!/usr/bin/env bash
# Installs what queuefront's end-to-end tests, lab and benchmarks run against, from Debian's packages:
#   prometheus (brings promtool), prometheus-pushgateway, kcat, chromium (the status-page test).
# Does nothing for what is already there. Java 17+ and Maven (for the Kafka broker) are checked, not installed
# unless QUEUEFRONT_INSTALL_JAVA=1, since most machines have their own JDK.
# Usage: bash deploy/setup.sh   (as root, or with sudo available)
set -euo pipefail

want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need prometheus prometheus
need promtool prometheus
need prometheus-pushgateway prometheus-pushgateway
need kcat kcat
need chromium chromium
if [ "${QUEUEFRONT_INSTALL_JAVA:-0}" = 1 ]; then
  need java openjdk-17-jre-headless
  need mvn maven
fi

if [ ${#want[@]} -gt 0 ]; then
  # shellcheck disable=SC2207
  want=($(printf '%s\n' "${want[@]}" | sort -u))
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root (or sudo) to install: ${want[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${want[*]}"
  $sudo apt-get update -qq
  # policy-rc.d keeps Debian from starting prometheus and the pushgateway as services: the tests start their own.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

for tool in prometheus promtool prometheus-pushgateway kcat chromium; do
  command -v "$tool" >/dev/null 2>&1 || { echo "setup: $tool is still missing after the install" >&2; exit 1; }
done
command -v java >/dev/null 2>&1 || echo "setup: note: java (17+) is missing: the Kafka broker needs it (or set KAFKA_BROKERS)" >&2
command -v mvn >/dev/null 2>&1 || echo "setup: note: mvn is missing: fetching the Kafka broker needs it once (or set KAFKA_BROKERS)" >&2
echo "setup: ok ($(prometheus --version 2>&1 | head -1 | cut -d' ' -f1-3))"
