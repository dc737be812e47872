#!/bin/sh
# Records real Exim one-shot outputs (-bt, -bv, -bvs, -be, -bP, -bV, -bf, -bF, -bem,
# -brw, -brt) against the test configurations, as root and as an unprivileged user,
# for the parsers' unit tests.
# Run as root from the repository root: sh tests/recorded/oneshot/record.sh [USER]
# Each file: the command, its exit code, then stdout and stderr.
set -eu
user=${1:-eximunit-test}
out=tests/recorded/oneshot
coop=$(pwd)/examples/coop/exim4.conf
routing=$(pwd)/tests/configs/routing.conf
filtering=$(pwd)/tests/configs/system_filter.conf
rewrite_retry=$(pwd)/tests/configs/rewrite_retry.conf
filters=$(pwd)/tests/configs/filters
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
    record bp-authenticator "$who" -bP authenticator plain_server
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
    # Filters as eximunit runs them: -oi (a lone "." is text), -v for Sieve (its actions
    # show only on stderr, and only then), the message on stdin.
    conf=$filtering
    envelope="-f x@y.test -bfl joe -bfd coop.test"
    record bf-deliver "$who" -oi $envelope -bf "$filters/deliver.filter" <"$filters/hello.eml"
    record bf-default-envelope "$who" -oi -bf "$filters/deliver.filter" <"$filters/hello.eml"
    record bf-normal "$who" -oi $envelope -bf "$filters/normal.filter" <"$filters/hello.eml"
    record bf-discard "$who" -oi $envelope -bf "$filters/discard.filter" <"$filters/hello.eml"
    record bf-fail-disabled "$who" -oi $envelope -bf "$filters/fail.filter" <"$filters/hello.eml"
    record bf-error "$who" -oi $envelope -bf "$filters/error.filter" <"$filters/hello.eml"
    record bf-forward "$who" -oi $envelope -bf "$filters/forward-list" <"$filters/hello.eml"
    record bF-fail "$who" -oi $envelope -bF "$filters/fail.filter" <"$filters/hello.eml"
    record bF-headers "$who" -oi $envelope -bF "$filters/system.filter" <"$filters/hello.eml"
    record bF-freeze "$who" -oi $envelope -bF "$filters/system.filter" <"$filters/spam.eml"
    record bF-virus "$who" -oi $envelope -bF "$filters/system.filter" <"$filters/virus.eml"
    record bf-sieve-keep "$who" -oi -v $envelope -bf "$filters/keep.sieve" <"$filters/hello.eml"
    record bf-sieve-redirect "$who" -oi -v $envelope -bf "$filters/redirect.sieve" <"$filters/hello.eml"
    record bf-sieve-envelope "$who" -oi -v $envelope -bf "$filters/envelope.sieve" <"$filters/hello.eml"
    record bf-sieve-discard "$who" -oi -v $envelope -bf "$filters/discard.sieve" <"$filters/hello.eml"
    record bf-sieve-error "$who" -oi -v $envelope -bf "$filters/error.sieve" <"$filters/hello.eml"
    record bf-sieve-quiet "$who" -oi $envelope -bf "$filters/redirect.sieve" <"$filters/hello.eml"
    record bp-system-filter "$who" -bP system_filter
    record bem "$who" -oi -bem "$filters/hello.eml" -- '$h_subject:'
    record bem-body "$who" -oi -bem "$filters/hello.eml" -- '$message_body'
    record bem-failed "$who" -oi -bem "$filters/hello.eml" -- '${nosuchop{$h_subject:}}'
    conf=$rewrite_retry
    record bp-no-system-filter "$who" -bP system_filter
    record brw-envelope "$who" -brw someone@old.test
    record brw-headers "$who" -brw anna@coop.test
    record brw-all "$who" -brw x@legacy.test
    record brw-none-apply "$who" -brw bob@other.test
    record brw-local-part "$who" -brw bob
    record brw-syntax "$who" -brw 'not an address'
    record brw-smtp "$who" -brw someone@smtp.test
    record brt-domain "$who" -brt slow.test
    record brt-address "$who" -brt bob@shop.test
    record brt-error "$who" -brt bob@shop.test timeout_connect
    record brt-none "$who" -brt x@other.test
    record brt-one-component "$who" -brt localhost
    record brt-bad-error "$who" -brt bob@shop.test nosuch_error
    conf=$routing
    record brw-no-rules "$who" -brw anna@coop.test
    conf=$coop
done
# The MX shape needs DNS: tests/recorded/oneshot/record_mx.py (see its docstring).
