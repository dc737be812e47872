#!/bin/sh
# Records real Exim one-shot outputs (-bt, -bv, -bvs, -be, -bP, -bV) against the example
# configuration, as root and as an unprivileged user, for the parser's unit tests.
# Run as root from the repository root: sh tests/recorded/oneshot/record.sh [USER]
# Each file: the command, its exit code, then stdout and stderr.
set -eu
user=${1:-eximunit-test}
out=tests/recorded/oneshot
coop=$(pwd)/examples/coop/exim4.conf
routing=$(pwd)/tests/configs/routing.conf
conf=$coop

record() {  # record NAME WHO ARGS...
    name=$1 who=$2; shift 2
    spool=$(mktemp -d /dev/shm/eximunit-record.XXXXXX); chmod 777 "$spool"
    if [ "$who" = root ]; then owner=root; run=""; else owner=$user; run="runuser -u $user --"; fi
    group=$(id -gn "$owner")
    file="$out/$name.$who.txt"
    set +e
    $run /usr/sbin/exim4 -C "$conf" -DEXIMUNIT_SPOOL="$spool" -DEXIMUNIT_USER="$owner" \
        -DEXIMUNIT_GROUP="$group" "$@" >"$spool/stdout" 2>"$spool/stderr"
    code=$?
    set -e
    { echo "\$ exim -C $(basename "$conf") -D... $*"; echo "exit $code"; echo "--- stdout";
      cat "$spool/stdout"; echo "--- stderr"; cat "$spool/stderr"; } >"$file"
    rm -rf "$spool"
}

for who in root user; do
    record bt-accept "$who" -bt anna@coop.test
    record bt-redirect "$who" -bt postmaster@coop.test
    record bt-redirect-chain "$who" -bt board@coop.test
    record bt-redirect-two "$who" -bt info@bakery.test
    record bt-blackhole "$who" -bt noreply@coop.test
    record bt-manualroute "$who" -DHUB_PORT=2525 -bt bob@shop.test
    record bt-undeliverable "$who" -bt nobody@coop.test
    record bt-several "$who" -bt anna@coop.test nobody@coop.test
    # Several addresses in one run, printed in other forms (qualified, redirected, a duplicate):
    record bt-each "$who" -bt -- board@coop.test ANNA@Coop.Test nobody@coop.test noreply@coop.test postmaster info@bakery.test anna@coop.test
    record bv-each "$who" -bv -- board@coop.test ANNA@Coop.Test nobody@coop.test postmaster anna@coop.test
    record bv-verified "$who" -bv anna@coop.test
    record bv-failed "$who" -bv nobody@coop.test
    record bvs-verified "$who" -bvs anna@coop.test
    record bvs-failed "$who" -bvs nobody@coop.test
    record be "$who" -be '$primary_hostname' '${lookup{orders@bookshop.test}lsearch{$config_dir/aliases}}' '${if eq{a}{b}{yes}{no}}' '${nosuchop{x}}'
    record bp-option "$who" -bP message_size_limit
    record bp-value "$who" -bP -n message_size_limit
    record bp-unset "$who" -bP spamd_address av_scanner dkim_verify_signers helo_lookup_domains
    record bp-boolean "$who" -bP smtp_enforce_sync split_spool_directory
    record bp-unknown "$who" -bP no_such_option
    record bp-router "$who" -bP router hubbed
    record bp-transport "$who" -bP transport hub_smtp
    record bp-macro "$who" -DHUB_PORT=2525 -bP macro HUB_HOST
    record bV "$who" -bV
    conf=$routing
    record bt-port "$who" -bt someone@port.test
    record bt-several-hosts "$who" -bt someone@multi.test
    record bt-pipe "$who" -bt someone@pipe.test
    record bt-fail "$who" -bt someone@fail.test
    record bt-defer "$who" -bt someone@later.test
    record bt-child-fails "$who" -bt someone@list.test
    record bt-syntax "$who" -bt 'not an address'
    record bv-defer "$who" -bv someone@later.test
    record bt-sender "$who" -bt -f boss@vip.test -- x@sender.test
    record bt-fail-admin-group "$who" -DSHOW_REASONS -bt someone@fail.test
    conf=$coop
done
# The MX shape needs DNS: tests/recorded/oneshot/record_mx.py (see its docstring).
