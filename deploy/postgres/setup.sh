#!/bin/sh
# Tongban (通办) PostgreSQL 15 setup. Run as the postgres OS user.
#
#   On the primary (after primary.conf and pg_hba.conf are in place, restarted):
#     sudo -u postgres TONGBAN_DB_PASSWORD=… REPLICATOR_PASSWORD=… ./setup.sh primary
#   Creates the role tongban, the database tongban (owned by it) and the
#   replication role replicator. Running it again changes nothing that exists.
#
#   On the replica (PostgreSQL installed, stopped, same primary.conf):
#     sudo -u postgres PGDATA=/var/lib/postgresql/15/main REPLICATOR_PASSWORD=… \
#         ./setup.sh replica PRIMARY_HOST
#   Copies the primary with pg_basebackup into the EMPTY $PGDATA and writes
#   standby.signal and primary_conninfo (-R); then start PostgreSQL on it.
#   On Debian, empty it first:  pg_dropcluster 15 main --stop  then recreate
#   the directory (mode 0700, owner postgres), or move the old one aside.
#
# Passwords are read from the environment (or asked for), never put on a
# command line where ps would show them.
set -eu

ask() { # ask VAR PROMPT: read VAR from the terminal unless it is set
    eval "v=\${$1:-}"
    if [ -z "$v" ]; then
        printf '%s: ' "$2" >&2
        stty -echo 2>/dev/null || true
        read -r v
        stty echo 2>/dev/null || true
        printf '\n' >&2
        [ -n "$v" ] || { echo "$1 is empty" >&2; exit 1; }
    fi
    export "$1=$v"
}

case "${1:-}" in
primary)
    ask TONGBAN_DB_PASSWORD "password for the database role tongban"
    ask REPLICATOR_PASSWORD "password for the replication role replicator"
    # \getenv (psql 15) reads the passwords inside psql; %L quotes them.
    psql -X -v ON_ERROR_STOP=1 -d postgres <<'SQL'
\getenv app_pw TONGBAN_DB_PASSWORD
\getenv repl_pw REPLICATOR_PASSWORD
SELECT format('CREATE ROLE tongban LOGIN PASSWORD %L', :'app_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tongban') \gexec
SELECT format('CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'repl_pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
-- UTF8 from template0; the owner may create tables in its public schema (PG 15).
SELECT 'CREATE DATABASE tongban OWNER tongban ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'tongban') \gexec
REVOKE ALL ON DATABASE tongban FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE tongban TO tongban;
SQL
    echo "done. database_url = \"postgres://tongban:PASSWORD@$(hostname -f 2>/dev/null || hostname):5432/tongban\""
    echo "next: sudo -u tongban tongban migrate --config /etc/tongban/tongban.toml"
    ;;
replica)
    primary_host="${2:?usage: setup.sh replica PRIMARY_HOST}"
    : "${PGDATA:?set PGDATA to the replica's data directory}"
    if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then
        echo "$PGDATA is not empty: stop PostgreSQL and empty it first" >&2
        exit 1
    fi
    ask REPLICATOR_PASSWORD "password for the replication role replicator"
    # -R: standby.signal + primary_conninfo; -X stream: WAL streamed during the
    # copy; -P: progress. Add "-C -S replica1" to use a replication slot.
    PGPASSWORD="$REPLICATOR_PASSWORD" \
        pg_basebackup -h "$primary_host" -U replicator -D "$PGDATA" -R -X stream -P
    chmod 0700 "$PGDATA"
    echo "done. Start PostgreSQL here (Debian: systemctl start postgresql@15-main), then check:"
    echo "  on the replica:  psql -c 'SELECT pg_is_in_recovery()'          -- t"
    echo "  on the primary:  psql -c 'SELECT client_addr, state, replay_lag FROM pg_stat_replication'"
    ;;
*)
    echo "usage: setup.sh primary | setup.sh replica PRIMARY_HOST" >&2
    exit 2
    ;;
esac
