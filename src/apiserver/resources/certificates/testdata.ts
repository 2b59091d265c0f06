/**
 * A CSR and a certificate made with openssl (an EC P-256 key; CN=alice, O=dev; a self-signed
 * certificate), for tests of CertificateSigningRequest validation and storage.
 */
export const TEST_CSR_PEM = `-----BEGIN CERTIFICATE REQUEST-----
MIHYMIGAAgEAMB4xDjAMBgNVBAMMBWFsaWNlMQwwCgYDVQQKDANkZXYwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAASXkqbBdREKvlz4jABB5aStXszwQ9bn7aDIIloN
NvCmWAFb3iDTM6DCZaPgsGalHXB03vRM7kvbw79RthWAJ3CqoAAwCgYIKoZIzj0E
AwIDRwAwRAIgBBGzkIjjKRv/tAThcftqXtKMjQ67R1vlvffqHzBZgTgCIDuQQGaY
rQw8t6oo5E8AItolgacKa/aakWPnWa7tXr5H
-----END CERTIFICATE REQUEST-----
`;

export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBejCCASGgAwIBAgIUWjC94QFL/t9xgEwp1kRiXouWnpAwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHdGVzdC1jYTAgFw0yNjExMjgwMTQ4MDhaGA8yMTI2MTEwNDAx
NDgwOFowEjEQMA4GA1UEAwwHdGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABJeSpsF1EQq+XPiMAEHlpK1ezPBD1uftoMgiWg028KZYAVveINMzoMJlo+Cw
ZqUdcHTe9EzuS9vDv1G2FYAncKqjUzBRMB0GA1UdDgQWBBQGXVb+XHi18Dv/z0R9
IrVvMVWNbzAfBgNVHSMEGDAWgBQGXVb+XHi18Dv/z0R9IrVvMVWNbzAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCID165ANDprXq81nLF5+RMifaXMrR
VpQVCWXlygnqh7DZAiAc8fKGxyfWDyvMqUOp8Ug33c+yUcpBMJgpTOtvpT747w==
-----END CERTIFICATE-----
`;

/** As the API carries them: base64 of the PEM bytes. */
export const TEST_CSR_BASE64 = Buffer.from(TEST_CSR_PEM).toString("base64");
export const TEST_CERT_BASE64 = Buffer.from(TEST_CERT_PEM).toString("base64");
