#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make-test-certs.sh DIR: makes a throwaway certificate authority and a
# server certificate it signed, for TLS tests on loopback:
#
#   DIR/ca.pem           the test CA, to trust explicitly
#   DIR/server.pem       server certificate for localhost, 127.0.0.1 and ::1
#   DIR/server.key       its private key
#   DIR/other-ca.pem     a second CA that signed nothing here (untrusted case)
#
# Nothing is ever added to the system's trust store.

set -eu

dir=$1
mkdir -p "$dir"
cd "$dir"

quiet () {
  "$@" >/dev/null 2>&1 || { "$@"; exit 1; }
}

quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout ca.key -out ca.pem -days 2 -subj "/CN=Dialtone Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server.key -out server.csr -subj "/CN=localhost"

cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
EXT

quiet openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -out server.pem -days 2 -extfile server.ext

quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=Dialtone Untrusted CA" \
  -addext "basicConstraints=critical,CA:TRUE"

rm -f server.csr server.ext ca.srl
