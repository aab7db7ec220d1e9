#!/bin/sh
# storeboard-backup.sh DATA_DIR BACKUP_DIR [KEEP]
#
# Writes BACKUP_DIR/storeboard-<UTC time>.db with `storeboard backup` (safe while the server
# runs), then deletes all but the newest KEEP backups (default: $KEEP, else 14).
# Run it as the service's user (reading a live database writes its -shm index file).
# STOREBOARD_BIN names the binary (default: storeboard on the PATH).
set -eu

usage="usage: storeboard-backup.sh DATA_DIR BACKUP_DIR [KEEP]"
data_dir=${1:?$usage}
backup_dir=${2:?$usage}
keep=${3:-${KEEP:-14}}
storeboard=${STOREBOARD_BIN:-storeboard}

case $keep in
    '' | *[!0-9]*) echo "KEEP must be a whole number, not '$keep'" >&2; exit 2 ;;
esac
if [ "$keep" -lt 1 ]; then
    echo "KEEP must be at least 1" >&2
    exit 2
fi

mkdir -p -- "$backup_dir"
out="$backup_dir/storeboard-$(date -u +%Y%m%dT%H%M%SZ).db"
"$storeboard" backup --data-dir "$data_dir" --out "$out"

# The names sort by time: keep the newest $keep.
find "$backup_dir" -maxdepth 1 -type f -name 'storeboard-*.db' | sort -r | tail -n +"$((keep + 1))" |
    while IFS= read -r old; do
        rm -f -- "$old"
        echo "removed old backup $old"
    done
