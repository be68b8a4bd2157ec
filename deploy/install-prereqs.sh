#!/usr/bin/env bash
# Installs what newsmon needs from the system if it is missing: Java 17 and Maven (to assemble
# and run the local Kafka) and Python 3.11 with venv; with --with-prometheus also Prometheus
# (the tests check the dashboards' queries against it). Uses apt as root; otherwise says what
# to do.
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v python3.11 >/dev/null 2>&1 || need+=(python3.11 python3.11-venv)
if [ "${1:-}" = "--with-prometheus" ]; then
  command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
fi
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "newsmon needs: ${need[*]} — install them with your package manager, then run make again" >&2
  exit 1
fi
echo "installing: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
