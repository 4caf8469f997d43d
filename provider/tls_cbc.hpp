// SPDX-License-Identifier: Apache-2.0
// TLS 1.0-1.2 CBC record mode shared by the block ciphers: padding on encrypt, and on decrypt
// the constant-time removal of padding and MAC (OpenSSL's ossl_cipher_tlsunpadblock semantics).
#pragma once

#include <openssl/core.h>
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace acrypto::prov::tls {

/// Protocol version numbers as libssl passes them in "tls-version".
inline constexpr unsigned int kSsl3 = 0x0300;
inline constexpr unsigned int kTls1 = 0x0301;
inline constexpr unsigned int kTls11 = 0x0302;
inline constexpr unsigned int kTls12 = 0x0303;
inline constexpr unsigned int kDtls1 = 0xFEFF;
inline constexpr unsigned int kDtls12 = 0xFEFD;
inline constexpr unsigned int kDtls1Bad = 0x0100;
/// Largest MAC the record mode hands back (SHA-512).
inline constexpr size_t kMaxMac = 64;

/// Whether the version carries an explicit per-record IV (TLS 1.1 and later, DTLS).
bool explicit_iv(unsigned int version);

/**
 * Record-mode state of one cipher context: the "tls-version" and "tls-mac-size"
 * parameters and the MAC of the last decrypted record ("tls-mac").
 */
struct RecordMode {
    unsigned int version = 0; ///< 0: record mode off
    size_t mac_size = 0;
    uint8_t mac[kMaxMac] = {};

    /// Apply "tls-version" / "tls-mac-size" from `params`. False on a malformed value.
    bool set_params(const OSSL_PARAM params[]);
    /// Answer "tls-mac" in `params` (pointer into this object). False on a type mismatch.
    bool get_params(OSSL_PARAM params[]) const;
    /// Forget the last MAC (wiped).
    void clear_mac();
};

/**
 * Encrypt side: append TLS padding to `len` bytes at `buf` (room `cap`). SSL 3.0 pads with
 * zeros and a length byte; TLS with copies of the length byte. Returns the padded length,
 * or 0 if it does not fit.
 */
size_t add_padding(unsigned int version, uint8_t *buf, size_t len, size_t cap, size_t block);

/**
 * Decrypt side on a decrypted record `buf` of `len` bytes (explicit IV included for
 * TLS 1.1+): remove the explicit IV, the padding and the MAC in constant time. The MAC
 * is copied to `mode.mac` (random bytes when the padding is bad, so the caller's MAC
 * check fails later, as with OpenSSL). With mac_size 0 a bad padding is an error.
 * On success `*payload_off` is where the payload starts in `buf` and `*payload_len`
 * its length. Returns false when the record is publicly invalid (too short, unknown
 * version) or, with no MAC, when the padding is bad.
 */
bool remove_padding_and_mac(OSSL_LIB_CTX *libctx, RecordMode &mode, uint8_t *buf, size_t len,
                            size_t block, size_t *payload_off, size_t *payload_len);

// Constant-time helpers (all-ones mask when true, zero otherwise).
size_t ct_lt(size_t a, size_t b);
size_t ct_ge(size_t a, size_t b);
size_t ct_eq(size_t a, size_t b);
size_t ct_is_zero(size_t a);

} // namespace acrypto::prov::tls

namespace acrypto::prov {

/// AES-128/256-CBC-HMAC-SHA1/SHA256, the stitched TLS record ciphers (cipher_cbc_hmac.cpp).
void append_cbc_hmac_algorithms(std::vector<OSSL_ALGORITHM> &out);

} // namespace acrypto::prov
