#!/bin/bash
# Entry point of an e2e node container (see the Dockerfile): `kts-node server ...` or
# `kts-node agent ...`. Agents first start their own Docker Engine (Docker in Docker, its storage
# on the /var/lib/docker volume). kts runs under a loop so that killing it (a restart of the
# agent, as tests do) brings it back while the node's containers keep running; the loop ends when
# the container is asked to stop.
set -u
role=$1
stopping=0
child=0
trap 'stopping=1; [ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null' TERM INT

if [ "$role" = agent ]; then
  # Docker's state from a previous run of this container (its pid file) would stop dockerd.
  rm -f /var/run/docker.pid
  dockerd --host unix:///var/run/docker.sock >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 100); do
    docker info >/dev/null 2>&1 && break
    sleep 0.2
  done
  docker info >/dev/null 2>&1 || { echo "kts-node: dockerd did not start"; tail -20 /var/log/dockerd.log; exit 1; }
fi

while [ "$stopping" = 0 ]; do
  /usr/local/bin/kts "$@" &
  child=$!
  wait "$child"
  code=$?
  # `wait` returns early when a signal arrives: wait for kts to finish its shutdown.
  wait "$child" 2>/dev/null
  [ "$stopping" = 1 ] && break
  echo "kts-node: kts exited with $code; starting it again"
  sleep 1
done
if [ "$role" = agent ]; then
  kill -TERM "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null
  sleep 1
fi
