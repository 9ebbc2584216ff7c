#!/bin/sh
# deploy/nginx-forward-auth.conf on your machine, without touching the system's nginx: started on the ports
# PROXY_PORT, AUTH_PORT and APP_PORT (8080, 5000, 8000 unless set; the names deploy/Caddyfile reads), with its
# own copy of the file, pid file and error log in .forward-auth/nginx/, and stopped again. From the
# repository's root:
#   PROXY_PORT=8080 AUTH_PORT=5000 APP_PORT=8000 scripts/nginx-forward-auth.sh start
#   scripts/nginx-forward-auth.sh stop
set -eu

dir="$PWD/.forward-auth/nginx"
conf=deploy/nginx-forward-auth.conf
# nginx opens its error log before it reads the file (-e), and reads pid and error_log from -g.
nginx_here() {
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g "pid $dir/nginx.pid; error_log $dir/error.log;" "$@"
}

case "${1:-}" in
start)
    [ -f "$conf" ] || { echo "run this from the repository's root (no $conf here)" >&2; exit 2; }
    mkdir -p "$dir"
    # The file's example ports, each of which must be there (else this copy would run on the wrong one).
    for example in 'listen 8080;' '127.0.0.1:5000;' '127.0.0.1:8000;'; do
        grep -qF "$example" "$conf" || { echo "$conf no longer has '$example'" >&2; exit 2; }
    done
    sed -e "s/listen 8080;/listen 127.0.0.1:${PROXY_PORT:-8080};/" \
        -e "s/127\.0\.0\.1:5000;/127.0.0.1:${AUTH_PORT:-5000};/" \
        -e "s/127\.0\.0\.1:8000;/127.0.0.1:${APP_PORT:-8000};/" "$conf" >"$dir/nginx.conf"
    nginx_here -t -q
    nginx_here
    echo "nginx on http://127.0.0.1:${PROXY_PORT:-8080}/ (pid $(cat "$dir/nginx.pid"), log $dir/error.log)"
    ;;
stop)
    [ -f "$dir/nginx.pid" ] || { echo "no nginx started here (no $dir/nginx.pid)" >&2; exit 1; }
    nginx_here -s quit
    # nginx removes its pid file once its workers have finished: wait for that, up to 10 s.
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ -f "$dir/nginx.pid" ] || { echo "nginx stopped"; exit 0; }
        sleep 0.5
    done
    echo "nginx has not stopped yet: see $dir/error.log" >&2
    exit 1
    ;;
*)
    echo "usage: [PROXY_PORT=8080 AUTH_PORT=5000 APP_PORT=8000] $0 start | $0 stop" >&2
    exit 2
    ;;
esac
