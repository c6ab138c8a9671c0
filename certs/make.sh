#!/usr/bin/env bash
# Regenerates the lctls test PKI in this script's directory.
# Requires only the `openssl` CLI (tested with OpenSSL 3.0). See README.md.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"

DAYS=7300
TMP="$(mktemp -d "$DIR/.tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Random positive 128-bit serial (top nibble forced to 0x4 so it is positive
# and has no leading zero octet).
serial() {
    local s
    s="$(openssl rand -hex 16)"
    printf '0x4%s' "${s:1}"
}

# genkey <out> <ec:P-256|ec:P-384|rsa:2048|ed25519>  -> PKCS#8 PEM
genkey() {
    local out="$1" kind="$2"
    case "$kind" in
        ec:*)    openssl genpkey -quiet -algorithm EC -pkeyopt "ec_paramgen_curve:${kind#ec:}" \
                     -pkeyopt ec_param_enc:named_curve -out "$out" ;;
        rsa:*)   openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:${kind#rsa:}" -out "$out" ;;
        ed25519) openssl genpkey -quiet -algorithm ED25519 -out "$out" ;;
        *) echo "unknown key kind $kind" >&2; exit 1 ;;
    esac
}

# Extension sections, written to one temporary file.
EXT="$TMP/ext.cnf"
cat >"$EXT" <<'EOF'
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[inter_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1

[server_v4_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1

[wrong_name_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:wrong.example.com

[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:client.lctls.test
EOF

# Minimal config for `openssl req` so the system openssl.cnf adds nothing.
REQCNF="$TMP/req.cnf"
cat >"$REQCNF" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
EOF

# selfsign <name> <cn> : self-signed root CA from <name>.key
selfsign() {
    local name="$1" cn="$2"
    openssl req -new -config "$REQCNF" -key "$name.key" -subj "/O=lctls test/CN=$cn" \
        -out "$TMP/$name.csr"
    openssl x509 -req -in "$TMP/$name.csr" -signkey "$name.key" -sha256 -days "$DAYS" \
        -set_serial "$(serial)" -extfile "$EXT" -extensions root_ext -out "$name.pem"
}

# issue <name> <cn> <ext-section> <ca-basename> : sign <name>.key's CSR with <ca>
# Writes the bare certificate to $TMP/<name>.crt.
issue() {
    local name="$1" cn="$2" ext="$3" ca="$4" md=()
    # Ed25519 CA keys take no digest; ECDSA/RSA CA keys use SHA-256.
    md=(-sha256)
    openssl req -new -config "$REQCNF" -key "$name.key" -subj "/O=lctls test/CN=$cn" \
        -out "$TMP/$name.csr"
    openssl x509 -req -in "$TMP/$name.csr" -CA "$ca.pem" -CAkey "$ca.key" "${md[@]}" \
        -days "$DAYS" -set_serial "$(serial)" -extfile "$EXT" -extensions "$ext" \
        -out "$TMP/$name.crt"
}

# chain <name> : <name>.pem = leaf + intermediate
chain() {
    cat "$TMP/$1.crt" inter.pem >"$1.pem"
}

echo "== root CA"
genkey ca.key ec:P-256
selfsign ca "lctls test root CA"

echo "== intermediate CA"
genkey inter.key ec:P-256
issue inter "lctls test intermediate CA" inter_ext ca
cp "$TMP/inter.crt" inter.pem

echo "== server leaves"
genkey server.key ec:P-256
issue server "localhost" server_ext inter
chain server

genkey server-rsa.key rsa:2048
issue server-rsa "localhost" server_ext inter
chain server-rsa

genkey server-p384.key ec:P-384
issue server-p384 "localhost" server_ext inter
chain server-p384

genkey server-ed25519.key ed25519
issue server-ed25519 "localhost" server_ext inter
chain server-ed25519

echo "== alternative key encodings"
openssl ec -in server.key -out server.sec1.key 2>/dev/null
if ! grep -q 'BEGIN EC PRIVATE KEY' server.sec1.key; then
    openssl ec -in server.key -traditional -out server.sec1.key 2>/dev/null
fi
openssl rsa -in server-rsa.key -traditional -out server-rsa.pkcs1.key 2>/dev/null

echo "== client"
genkey client.key ec:P-256
issue client "lctls test client" client_ext inter
chain client

echo "== wrong-name"
genkey wrong-name.key ec:P-256
issue wrong-name "wrong.example.com" wrong_name_ext inter
chain wrong-name

echo "== expired (via openssl ca with explicit start/end dates)"
genkey expired.key ec:P-256
openssl req -new -config "$REQCNF" -key expired.key -subj "/O=lctls test/CN=localhost" \
    -out "$TMP/expired.csr"
mkdir -p "$TMP/ca/newcerts"
: >"$TMP/ca/index.txt"
echo 01 >"$TMP/ca/serial"
cat >"$TMP/ca.cnf" <<EOF
[ca]
default_ca = tmpca
[tmpca]
dir = $TMP/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/newcerts
certificate = $DIR/inter.pem
private_key = $DIR/inter.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
organizationName = optional
commonName = supplied
EOF
cat "$EXT" >>"$TMP/ca.cnf"
openssl ca -batch -notext -config "$TMP/ca.cnf" -rand_serial \
    -startdate 20200101000000Z -enddate 20210101000000Z \
    -extensions server_v4_ext -in "$TMP/expired.csr" -out "$TMP/expired.crt"
chain expired

echo "== unrelated root + leaf signed directly by it"
genkey other-ca.key ec:P-256
selfsign other-ca "lctls other (untrusted) root CA"
genkey untrusted.key ec:P-256
issue untrusted "localhost" server_ext other-ca
cp "$TMP/untrusted.crt" untrusted.pem

chmod 644 ./*.pem ./*.key
echo "done; files written to $DIR"
