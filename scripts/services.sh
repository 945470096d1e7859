#!/usr/bin/env bash
# Makes sure the servers and clients the tests need are here and running:
# PostgreSQL on 127.0.0.1:5432 and MariaDB on 127.0.0.1:3306 (installed from
# Debian's packages when missing, started when stopped), plus the real
# clients of the compatibility tests (psql, Java with pgjdbc, psycopg2 and
# SQLAlchemy for /usr/bin/python3, node-postgres).
set -euo pipefail

apt_updated=
apt_install() {
	[ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
maria_up() { mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; }

wait_for() { # name, check function
	for _ in $(seq 1 60); do "$2" && return 0; sleep 1; done
	echo "services: $1 did not come up" >&2
	return 1
}

# PostgreSQL
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
	echo "services: installing PostgreSQL" >&2
	apt_install postgresql postgresql-client
fi
if ! pg_up; then
	ver=$(ls /etc/postgresql | sort -n | tail -1)
	pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
	wait_for PostgreSQL pg_up
fi
# Trust auth on loopback is what the machine ships; make sure the roles the
# tests use exist either way.
psql -h 127.0.0.1 -U postgres -d postgres -qtAc "SELECT 1" >/dev/null 2>&1 ||
	su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD NULL\"" >/dev/null 2>&1 || true

# MariaDB
if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
	echo "services: installing MariaDB" >&2
	apt_install mariadb-server mariadb-client
fi
if ! maria_up; then
	mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
	start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
	wait_for MariaDB maria_up
fi
# A fresh install authenticates root by unix socket; the tests connect over
# TCP as root with an empty password.
if ! mysql --protocol=tcp -h 127.0.0.1 -uroot -e "SELECT 1" >/dev/null 2>&1; then
	mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" || true
fi
# CONVERT_TZ (the Cube API's timezone, AT TIME ZONE) needs the zone
# tables, which a fresh install leaves empty.
if [ "$(mysql --protocol=tcp -h 127.0.0.1 -uroot -N -e "SELECT COUNT(*) FROM mysql.time_zone_name")" = 0 ]; then
	echo "services: loading MariaDB time zone tables" >&2
	mysql_tzinfo_to_sql /usr/share/zoneinfo 2>/dev/null | mysql --protocol=tcp -h 127.0.0.1 -uroot mysql
fi

# Real clients for the compatibility tests.
need=()
command -v psql >/dev/null || need+=(postgresql-client)
command -v java >/dev/null || need+=(default-jre-headless)
[ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
/usr/bin/python3 -c "import psycopg2" 2>/dev/null || need+=(python3-psycopg2)
/usr/bin/python3 -c "import sqlalchemy" 2>/dev/null || need+=(python3-sqlalchemy)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
	echo "services: installing ${need[*]}" >&2
	apt_install "${need[@]}"
fi
# The Node clients the tests drive (node-postgres, @cubejs-client/core).
for pkg in testdata/*/package.json; do
	dir=$(dirname "$pkg")
	if [ ! -d "$dir/node_modules" ]; then
		(cd "$dir" && npm ci --no-audit --no-fund --silent >/dev/null)
	fi
done
echo "services: PostgreSQL and MariaDB are up" >&2
