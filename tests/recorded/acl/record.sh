#!/bin/sh
# Records Exim's -bh trace (stderr) and replies (stdout) for tests/configs/acl.conf,
# for the ACL decision parser's unit tests. Run from the repository root:
#     sh tests/recorded/acl/record.sh
set -eu
out=tests/recorded/acl
conf=$(pwd)/tests/configs/acl.conf
spool=$(mktemp -d /dev/shm/eximunit-record.XXXXXX); chmod 777 "$spool"
printf '%s\r\n' 'EHLO client.example' 'MAIL FROM:<a@bad.test>' 'RCPT TO:<postmaster@acl.test>' \
    'RCPT TO:<bob@acl.test>' 'RSET' 'MAIL FROM:<a@ok.test>' 'RCPT TO:<later@acl.test>' \
    'RCPT TO:<x@other.test>' 'RCPT TO:<bob@acl.test>' 'RSET' 'MAIL FROM:<x@stranger.test>' QUIT |
    /usr/sbin/exim4 -C "$conf" -DEXIMUNIT_SPOOL="$spool" -DEXIMUNIT_USER="$(id -un)" \
        -DEXIMUNIT_GROUP="$(id -gn)" -bh 192.0.2.1 >"$out/session.stdout" 2>"$out/session.stderr"
rm -rf "$spool"
# The recording names the file as it was on the recording machine; tests compare names.
sed -i "s|$(pwd)/||g" "$out/session.stderr"
