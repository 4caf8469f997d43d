// SPDX-License-Identifier: Apache-2.0
// TLS CBC record mode: padding, and constant-time padding/MAC removal (see tls_cbc.hpp).
#include "tls_cbc.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstring>

namespace acrypto::prov::tls {

namespace {

/// Hide a value from the optimiser so masks stay arithmetic (no branches).
inline size_t barrier(size_t v) {
    __asm__("" : "+r"(v));
    return v;
}

inline size_t msb_mask(size_t v) { return 0 - (barrier(v) >> (sizeof(size_t) * 8 - 1)); }

inline uint8_t select8(size_t mask, uint8_t a, uint8_t b) {
    const auto m = static_cast<uint8_t>(mask);
    return static_cast<uint8_t>((m & a) | (static_cast<uint8_t>(~m) & b));
}

/**
 * Copy the MAC that ends at `*reclen` (the record without padding, a secret value)
 * out of `rec` (public length `origlen`) into `out`, touching every byte that could
 * hold it, so neither timing nor memory access depends on where it is. A bad padding
 * (`good` zero) yields `randmac` instead. `*reclen` loses the MAC.
 */
void copy_mac(size_t *reclen, size_t origlen, const uint8_t *rec, uint8_t *out, size_t mac_size,
              size_t good, const uint8_t *randmac) {
    uint8_t rotated[kMaxMac] = {};
    const size_t mac_end = *reclen;
    const size_t mac_start = mac_end - mac_size;
    *reclen -= mac_size;
    // The MAC can only move by 255 bytes (plus the length byte): skip what is before.
    size_t scan_start = 0;
    if (origlen > mac_size + 255 + 1) scan_start = origlen - (mac_size + 255 + 1);
    size_t in_mac = 0, rotate = 0;
    for (size_t i = scan_start, j = 0; i < origlen; ++i) {
        const size_t started = ct_eq(i, mac_start);
        const size_t ended = ct_lt(i, mac_end);
        in_mac |= started;
        in_mac &= ended;
        rotate |= j & started;
        rotated[j++] |= static_cast<uint8_t>(rec[i] & in_mac);
        j &= ct_lt(j, mac_size);
    }
    // rotated[] holds the MAC starting at index `rotate`: turn it back, in constant time.
    std::memset(out, 0, mac_size);
    rotate = mac_size - rotate;
    rotate &= ct_lt(rotate, mac_size);
    for (size_t i = 0; i < mac_size; ++i) {
        for (size_t j = 0; j < mac_size; ++j)
            out[j] |= static_cast<uint8_t>(rotated[i] & ct_eq(j, rotate));
        ++rotate;
        rotate &= ct_lt(rotate, mac_size);
    }
    for (size_t i = 0; i < mac_size; ++i) out[i] = select8(good, out[i], randmac[i]);
    OPENSSL_cleanse(rotated, sizeof rotated);
}

} // namespace

size_t ct_lt(size_t a, size_t b) { return msb_mask(a ^ ((a ^ b) | ((a - b) ^ b))); }
size_t ct_ge(size_t a, size_t b) { return ~ct_lt(a, b); }
size_t ct_is_zero(size_t a) { return msb_mask(~a & (a - 1)); }
size_t ct_eq(size_t a, size_t b) { return ct_is_zero(a ^ b); }

bool explicit_iv(unsigned int version) {
    switch (version) {
    case kTls11:
    case kTls12:
    case kDtls1:
    case kDtls12:
    case kDtls1Bad: return true;
    default: return false;
    }
}

bool RecordMode::set_params(const OSSL_PARAM params[]) {
    if (params == nullptr) return true;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_TLS_VERSION);
    if (p != nullptr && OSSL_PARAM_get_uint(p, &version) != 1) return false;
    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_TLS_MAC_SIZE);
    if (p != nullptr) {
        size_t v = 0;
        if (OSSL_PARAM_get_size_t(p, &v) != 1 || v > kMaxMac) return false;
        mac_size = v;
    }
    return true;
}

bool RecordMode::get_params(OSSL_PARAM params[]) const {
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_TLS_MAC);
    return p == nullptr || OSSL_PARAM_set_octet_ptr(p, mac, mac_size) == 1;
}

void RecordMode::clear_mac() { OPENSSL_cleanse(mac, sizeof mac); }

size_t add_padding(unsigned int version, uint8_t *buf, size_t len, size_t cap, size_t block) {
    const size_t padnum = block - len % block;
    if (padnum > 256 || cap < len || cap - len < padnum) return 0;
    const auto padval = static_cast<uint8_t>(padnum - 1);
    if (version == kSsl3) {
        std::memset(buf + len, 0, padnum - 1);
        buf[len + padnum - 1] = padval;
    } else {
        std::memset(buf + len, padval, padnum);
    }
    return len + padnum;
}

bool remove_padding_and_mac(OSSL_LIB_CTX *libctx, RecordMode &mode, uint8_t *buf, size_t len,
                            size_t block, size_t *payload_off, size_t *payload_len) {
    const size_t mac_size = mode.mac_size;
    size_t off = 0;
    if (explicit_iv(mode.version)) {
        if (len < block) return false;
        off = block;
    } else if (mode.version != kTls1 && mode.version != kSsl3) {
        return false;
    }
    uint8_t *rec = buf + off;
    const size_t origlen = len - off;
    size_t reclen = origlen;
    // Lengths are public: these tests may branch.
    const size_t overhead = 1 + mac_size;
    if (overhead > reclen || mac_size > kMaxMac) return false;
    const size_t pad = rec[reclen - 1];
    size_t good;
    if (mode.version == kSsl3) {
        good = ct_ge(reclen, pad + overhead);
        good &= ct_ge(block, pad + 1); // SSL 3.0 padding is minimal
    } else {
        good = ct_ge(reclen, overhead + pad);
        // All pad+1 final bytes equal pad: check the most padding there can be (256
        // bytes with the length byte), masked, so the work does not depend on pad.
        size_t to_check = reclen < 256 ? reclen : 256;
        for (size_t i = 0; i < to_check; ++i) {
            const size_t mask = ct_ge(pad, i);
            const size_t b = rec[reclen - 1 - i];
            good &= ~(mask & (pad ^ b));
        }
        good = ct_eq(0xff, good & 0xff);
    }
    reclen -= good & (pad + 1);

    if (mac_size == 0) {
        // No MAC to hide behind: a bad padding is an error (as OpenSSL does).
        if (good == 0) return false;
    } else {
        uint8_t randmac[kMaxMac];
        if (RAND_bytes_ex(libctx, randmac, mac_size, 0) != 1) return false;
        copy_mac(&reclen, origlen, rec, mode.mac, mac_size, good, randmac);
        OPENSSL_cleanse(randmac, sizeof randmac);
    }
    *payload_off = off;
    *payload_len = reclen;
    return true;
}

} // namespace acrypto::prov::tls
