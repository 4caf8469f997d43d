// SPDX-License-Identifier: Apache-2.0
// DesEngine: DES/3DES with libcrypto's DES block functions (deprecated API, used on purpose).
// The EVP path would enter OPENSSL_init_crypto on the model's thread; see des_engine.hpp.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "des_engine.hpp"

#include <cstring>

#include <openssl/crypto.h>
#include <openssl/des.h>

namespace acrypto::hw::fastcrypt::model {

bool DesEngine::run(bool triple, bool cbc, bool encrypt, const uint8_t *key, const uint8_t *iv,
                    const uint8_t *in, uint8_t *out, size_t len) const {
    if (len % 8 != 0) return false;
    // FPI ignores parity bits and does not reject weak keys (§2.4): the unchecked setter.
    DES_key_schedule ks[3];
    const int nkeys = triple ? 3 : 1;
    for (int i = 0; i < nkeys; ++i) {
        DES_cblock k;
        std::memcpy(k, key + 8 * i, 8);
        DES_set_key_unchecked(&k, &ks[i]);
        OPENSSL_cleanse(k, sizeof k);
    }
    const int enc = encrypt ? DES_ENCRYPT : DES_DECRYPT;
    if (cbc) {
        DES_cblock ivec;
        std::memcpy(ivec, iv, 8);
        // Both routines read each input block before writing its output: in == out is fine.
        if (triple)
            DES_ede3_cbc_encrypt(in, out, static_cast<long>(len), &ks[0], &ks[1], &ks[2], &ivec,
                                 enc);
        else
            DES_ncbc_encrypt(in, out, static_cast<long>(len), &ks[0], &ivec, enc);
        OPENSSL_cleanse(ivec, sizeof ivec);
    } else {
        for (size_t off = 0; off < len; off += 8) {
            DES_cblock blk;
            std::memcpy(blk, in + off, 8);
            auto *o = reinterpret_cast<DES_cblock *>(out + off);
            if (triple)
                DES_ecb3_encrypt(&blk, o, &ks[0], &ks[1], &ks[2], enc);
            else
                DES_ecb_encrypt(&blk, o, &ks[0], enc);
        }
    }
    OPENSSL_cleanse(ks, sizeof ks);
    return true;
}

} // namespace acrypto::hw::fastcrypt::model
