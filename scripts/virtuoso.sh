#!/usr/bin/env bash
# Start, stop or bulk-load a throw-away Virtuoso Open-Source server on loopback.
#   scripts/virtuoso.sh start DIR [HTTP_PORT] [ISQL_PORT]   -> prints the SPARQL endpoint URL
#   scripts/virtuoso.sh load DIR FILE.nq                    -> bulk loader (ld_dir + rdf_loader_run)
#   scripts/virtuoso.sh stop DIR
# Needs the Debian package virtuoso-opensource (virtuoso-t, isql-vt).
set -euo pipefail
cmd=${1:?start|load|stop}; dir=$(realpath -m "${2:?DIR}")
ini="$dir/virtuoso.ini"
isql_port() { sed -n 's/^ServerPort *= *127.0.0.1:\([0-9]*\)$/\1/p' "$ini" | head -1; }
isql() { isql-vt "127.0.0.1:$(isql_port)" dba dba "$@"; }
case "$cmd" in
start)
  http=${3:-8891}; port=${4:-1112}
  mkdir -p "$dir/load"
  sed -e "s|^DatabaseFile.*virtuoso.db|DatabaseFile = $dir/virtuoso.db|" \
      -e "s|^ErrorLogFile.*|ErrorLogFile = $dir/virtuoso.log|" \
      -e "s|^TransactionFile.*virtuoso.trx|TransactionFile = $dir/virtuoso.trx|" \
      -e "s|^xa_persistent_file.*|xa_persistent_file = $dir/virtuoso.pxa|" \
      -e "s|^LockFile.*|LockFile = $dir/virtuoso.lck|" \
      -e "s|^DatabaseFile.*virtuoso-temp.db|DatabaseFile = $dir/virtuoso-temp.db|" \
      -e "s|^TransactionFile.*virtuoso-temp.trx|TransactionFile = $dir/virtuoso-temp.trx|" \
      -e "s|^ServerPort *= *1111|ServerPort = 127.0.0.1:$port|" \
      -e "s|^ServerPort *= *8890|ServerPort = 127.0.0.1:$http|" \
      -e "s|^DirsAllowed.*|DirsAllowed = ., $dir/load, /usr/share/virtuoso-opensource-7/vad|" \
      -e "s|^NumberOfBuffers *= *10000|NumberOfBuffers = 170000|" \
      -e "s|^MaxDirtyBuffers *= *6000|MaxDirtyBuffers = 130000|" \
      -e "s|^MaxQueryExecutionTime.*|MaxQueryExecutionTime = 60|" \
      -e "s|^ResultSetMaxRows.*|ResultSetMaxRows = 1000000|" \
      /etc/virtuoso-opensource-7/virtuoso.ini > "$ini"
  # the temp database has its own ErrorLogFile-less section; make its files distinct too
  # detached from our stdout, so that $(virtuoso.sh start ...) returns once the server is up
  nohup virtuoso-t +configfile "$ini" +foreground > "$dir/stdout.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  for _ in $(seq 1 120); do
    if curl -m 5 -fsS -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" 2>/dev/null; then break; fi
    sleep 0.5
  done
  curl -m 5 -fsS -o /dev/null "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" || { cat "$dir/stdout.log" >&2; exit 1; }
  isql exec="GRANT SPARQL_UPDATE TO \"SPARQL\";" >/dev/null
  isql exec="DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" >/dev/null
  echo "http://127.0.0.1:$http/sparql"
  ;;
load)
  file=$(realpath "${3:?FILE.nq}")
  cp "$file" "$dir/load/"
  isql exec="ld_dir('$dir/load', '$(basename "$file")', 'https://w3id.org/assess2plan/graph/default'); rdf_loader_run(); checkpoint;" >/dev/null
  isql exec="SELECT ll_file, ll_state, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;" | grep -q "0 Rows" || { echo "bulk load reported errors" >&2; isql exec="SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;" >&2; exit 1; }
  rm -f "$dir/load/$(basename "$file")"
  isql exec="DELETE FROM DB.DBA.LOAD_LIST;" >/dev/null
  ;;
stop)
  if [ -f "$dir/pid" ]; then
    isql exec="shutdown;" >/dev/null 2>&1 || kill "$(cat "$dir/pid")" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$(cat "$dir/pid")" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
  fi
  ;;
*) echo "usage: $0 start|load|stop DIR ..." >&2; exit 2 ;;
esac
