// The cryptographic registry of printseal: every algorithm a build can emit or accept,
// and which payload suite, recipient stanza kind or header function uses it.
//
// This one file is compiled twice: into the library as `printseal::sbom` (where tests
// check it against `Suite::ALL` and `format::stanza::known_body_len`), and into build.rs
// with `include!`, which writes the CBOM part of the embedded CycloneDX document from
// it. So it may use nothing but `core` (no `crate::` paths, no inner attributes).
//
// Adding a suite or a stanza kind to the code without a line below fails the
// `cbom_lists_exactly_the_registered_suites_and_stanza_kinds` test.
//
// Field values follow the CycloneDX 1.6 `cryptoProperties.algorithmProperties` enums.
// Security levels: symmetric primitives under 256-bit keys are classical 256 / NIST
// category 5 (NIST SP 800-57 Part 1 Table 3 for HMAC and HMAC-based KDFs); SHA-256
// as a digest is 128 / category 2 (collision search); X25519 is 128 / 0; ML-KEM-768 is
// category 3 (FIPS 203), classical 192; X-Wing is at least as strong as the stronger of
// its two parts.

/// One cryptographic algorithm, as the CBOM describes it (a CycloneDX 1.6
/// `cryptographic-asset` component of asset type `algorithm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Algorithm {
    /// Stable short id; the CBOM's `bom-ref` is `crypto/algorithm/<id>`.
    pub id: &'static str,
    /// Common name.
    pub name: &'static str,
    /// The specification that defines it.
    pub spec: &'static str,
    /// CycloneDX `primitive` (`ae`, `kdf`, `mac`, `hash`, `kem`, `key-agree`, `pke`,
    /// `drbg`, ...).
    pub primitive: &'static str,
    /// CycloneDX `mode` (`gcm`, `other`), if the primitive has one.
    pub mode: Option<&'static str>,
    /// CycloneDX `parameterSetIdentifier` (key or digest size, or parameter set).
    pub parameter_set: Option<&'static str>,
    /// CycloneDX `curve`, for elliptic-curve algorithms.
    pub curve: Option<&'static str>,
    /// CycloneDX `cryptoFunctions` that printseal uses it for.
    pub functions: &'static [&'static str],
    /// Classical security level, in bits.
    pub classical_security_level: u32,
    /// NIST post-quantum security category (0 = not quantum-resistant, 1 to 5).
    pub nist_quantum_security_level: u8,
    /// ASN.1 object identifier, where one is assigned.
    pub oid: Option<&'static str>,
}

/// A payload suite, a recipient stanza kind, or the header itself, with the algorithms
/// it uses (ids into [`ALGORITHMS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Registration {
    /// The id written in the header (suite id or stanza kind); 0 for the header.
    pub id: u16,
    /// Human-readable name.
    pub name: &'static str,
    /// Ids of the [`Algorithm`]s it uses.
    pub algorithms: &'static [&'static str],
}

/// Every algorithm this table describes. Only those that a registration below refers to
/// are in a build's CBOM (see `printseal::sbom::algorithms`).
pub const ALGORITHMS: &[Algorithm] = &[
    Algorithm {
        id: "aes-256-gcm",
        name: "AES-256-GCM",
        spec: "NIST SP 800-38D",
        primitive: "ae",
        mode: Some("gcm"),
        parameter_set: Some("256"),
        curve: None,
        functions: &["encrypt", "decrypt"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        oid: Some("2.16.840.1.101.3.4.1.46"),
    },
    Algorithm {
        id: "chacha20-poly1305",
        name: "ChaCha20-Poly1305",
        spec: "RFC 8439",
        primitive: "ae",
        mode: None,
        parameter_set: Some("256"),
        curve: None,
        functions: &["encrypt", "decrypt"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        // id-alg-AEADChaCha20Poly1305 (RFC 8103).
        oid: Some("1.2.840.113549.1.9.16.3.18"),
    },
    Algorithm {
        id: "c2sp-chunked-aes-256-gcm",
        name: "Cobblestone-256 (C2SP chunked encryption over AES-256-GCM)",
        spec: "C2SP chunked-encryption",
        primitive: "ae",
        mode: Some("other"),
        parameter_set: Some("256"),
        curve: None,
        functions: &["encrypt", "decrypt", "keyderive"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        oid: None,
    },
    Algorithm {
        id: "c2sp-chunked-chacha20-poly1305",
        name: "C2SP chunked encryption over ChaCha20-Poly1305",
        spec: "C2SP chunked-encryption",
        primitive: "ae",
        mode: Some("other"),
        parameter_set: Some("256"),
        curve: None,
        functions: &["encrypt", "decrypt", "keyderive"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        oid: None,
    },
    Algorithm {
        id: "hkdf-sha-512",
        name: "HKDF-SHA-512",
        spec: "RFC 5869 (HKDF-Expand, as C2SP chunked encryption uses it)",
        primitive: "kdf",
        mode: None,
        parameter_set: Some("512"),
        curve: None,
        functions: &["keyderive"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        // id-alg-hkdf-with-sha512 (RFC 8619).
        oid: Some("1.2.840.113549.1.9.16.3.30"),
    },
    Algorithm {
        id: "hkdf-sha-256",
        name: "HKDF-SHA-256",
        spec: "RFC 5869",
        primitive: "kdf",
        mode: None,
        parameter_set: Some("256"),
        curve: None,
        functions: &["keyderive"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        // id-alg-hkdf-with-sha256 (RFC 8619).
        oid: Some("1.2.840.113549.1.9.16.3.28"),
    },
    Algorithm {
        id: "hmac-sha-256",
        name: "HMAC-SHA-256",
        spec: "RFC 2104, FIPS 198-1",
        primitive: "mac",
        mode: None,
        parameter_set: Some("256"),
        curve: None,
        functions: &["tag", "verify"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        // hmacWithSHA256 (RFC 8018).
        oid: Some("1.2.840.113549.2.9"),
    },
    Algorithm {
        id: "sha-256",
        name: "SHA-256",
        spec: "FIPS 180-4",
        primitive: "hash",
        mode: None,
        parameter_set: Some("256"),
        curve: None,
        functions: &["digest"],
        classical_security_level: 128,
        nist_quantum_security_level: 2,
        oid: Some("2.16.840.1.101.3.4.2.1"),
    },
    Algorithm {
        id: "chacha20-csprng",
        name: "ChaCha20 CSPRNG (seeded from the operating system)",
        spec: "RFC 8439 (ChaCha20 block function as a keystream generator)",
        primitive: "drbg",
        mode: None,
        parameter_set: Some("256"),
        curve: None,
        functions: &["generate"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        oid: None,
    },
    Algorithm {
        id: "aes-256-kwp",
        name: "AES-256-KWP (AES key wrap with padding)",
        spec: "RFC 5649, NIST SP 800-38F",
        primitive: "ae",
        mode: Some("other"),
        parameter_set: Some("256"),
        curve: None,
        functions: &["encrypt", "decrypt"],
        classical_security_level: 256,
        nist_quantum_security_level: 5,
        // id-aes256-wrap-pad (RFC 5649).
        oid: Some("2.16.840.1.101.3.4.1.48"),
    },
    Algorithm {
        id: "x25519",
        name: "X25519",
        spec: "RFC 7748",
        primitive: "key-agree",
        mode: None,
        parameter_set: None,
        curve: Some("curve25519"),
        functions: &["keygen", "keyderive"],
        classical_security_level: 128,
        nist_quantum_security_level: 0,
        // id-X25519 (RFC 8410).
        oid: Some("1.3.101.110"),
    },
    Algorithm {
        id: "ml-kem-768",
        name: "ML-KEM-768",
        spec: "FIPS 203",
        primitive: "kem",
        mode: None,
        parameter_set: Some("768"),
        curve: None,
        functions: &["keygen", "encapsulate", "decapsulate"],
        classical_security_level: 192,
        nist_quantum_security_level: 3,
        // id-alg-ml-kem-768 (NIST CSOR).
        oid: Some("2.16.840.1.101.3.4.4.2"),
    },
    Algorithm {
        id: "x-wing",
        name: "X-Wing (ML-KEM-768 + X25519 hybrid KEM)",
        spec: "draft-connolly-cfrg-xwing-kem",
        primitive: "kem",
        mode: None,
        parameter_set: None,
        curve: None,
        functions: &["keygen", "encapsulate", "decapsulate"],
        classical_security_level: 192,
        nist_quantum_security_level: 3,
        // id-XWing, assigned in the X-Wing draft.
        oid: Some("1.3.6.1.4.1.62253.25722"),
    },
    Algorithm {
        id: "hpke-dhkem-x25519",
        name: "HPKE base mode with DHKEM(X25519, HKDF-SHA256)",
        spec: "RFC 9180",
        primitive: "pke",
        mode: None,
        parameter_set: Some("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305"),
        curve: None,
        functions: &["encapsulate", "decapsulate", "encrypt", "decrypt"],
        classical_security_level: 128,
        nist_quantum_security_level: 0,
        oid: None,
    },
    Algorithm {
        id: "hpke-x-wing",
        name: "HPKE base mode with X-Wing",
        spec: "RFC 9180, draft-connolly-cfrg-xwing-kem",
        primitive: "pke",
        mode: None,
        parameter_set: Some("X-Wing, HKDF-SHA256, ChaCha20Poly1305"),
        curve: None,
        functions: &["encapsulate", "decapsulate", "encrypt", "decrypt"],
        classical_security_level: 192,
        nist_quantum_security_level: 3,
        oid: None,
    },
];

/// What every job uses, whatever its suite and recipients: the file-key schedule
/// (HKDF-SHA-256), the header MAC (HMAC-SHA-256), the SBOM digest in the public
/// metadata (SHA-256) and the sealing randomness.
pub const HEADER: Registration = Registration {
    id: 0,
    name: "printseal format v1 header",
    algorithms: &["hkdf-sha-256", "hmac-sha-256", "sha-256", "chacha20-csprng"],
};

/// The payload suites, by header suite id. Must equal `Suite::ALL`.
pub const SUITES: &[Registration] = &[
    Registration {
        id: 0x0001,
        name: "Cobblestone-256 (AES-256-GCM)",
        algorithms: &["c2sp-chunked-aes-256-gcm", "aes-256-gcm", "hkdf-sha-512"],
    },
    Registration {
        id: 0x0002,
        name: "C2SP chunked ChaCha20-Poly1305",
        algorithms: &[
            "c2sp-chunked-chacha20-poly1305",
            "chacha20-poly1305",
            "hkdf-sha-512",
        ],
    },
];

/// The recipient stanza kinds, by header kind. Must equal the kinds that
/// `format::stanza::known_body_len` knows.
pub const STANZA_KINDS: &[Registration] = &[
    Registration {
        id: 0x0001,
        name: "KEK: AES-256-KWP under a 256-bit key-encryption key",
        algorithms: &["aes-256-kwp"],
    },
    Registration {
        id: 0x0010,
        name: "X25519 through HPKE base mode (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, \
               ChaCha20Poly1305)",
        algorithms: &[
            "hpke-dhkem-x25519",
            "x25519",
            "hkdf-sha-256",
            "chacha20-poly1305",
        ],
    },
    Registration {
        id: 0x0011,
        name: "X-Wing through HPKE base mode (X-Wing, HKDF-SHA256, ChaCha20Poly1305)",
        algorithms: &[
            "hpke-x-wing",
            "x-wing",
            "ml-kem-768",
            "x25519",
            "hkdf-sha-256",
            "chacha20-poly1305",
        ],
    },
];
