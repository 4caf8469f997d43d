// SPDX-License-Identifier: Apache-2.0
// Reference results computed with libcrypto (default provider, legacy when present).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "reference.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/sha.h>

namespace acrypto::test {

namespace {

// A private library context with the default provider (and legacy, for single DES),
// so the reference never reaches a provider under test that the process may load.
struct RefCtx {
    OSSL_LIB_CTX *ctx = nullptr;
    RefCtx() {
        ctx = OSSL_LIB_CTX_new();
        OSSL_PROVIDER_load(ctx, "default");
        OSSL_PROVIDER_load(ctx, "legacy"); // optional
        ERR_clear_error();
    }
};

OSSL_LIB_CTX *refctx() {
    static RefCtx r; // test support only: lives until exit
    return r.ctx;
}

[[noreturn]] void fail(const std::string &what) {
    unsigned long e = ERR_get_error();
    char buf[256] = {0};
    if (e) ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    throw std::runtime_error(what + (e ? std::string(": ") + buf : std::string()));
}

struct CipherDel {
    void operator()(EVP_CIPHER *c) const { EVP_CIPHER_free(c); }
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
    void operator()(EVP_MD *m) const { EVP_MD_free(m); }
    void operator()(EVP_MAC *m) const { EVP_MAC_free(m); }
    void operator()(EVP_MAC_CTX *m) const { EVP_MAC_CTX_free(m); }
};

template <class T> using Ptr = std::unique_ptr<T, CipherDel>;

} // namespace

std::string cipher_name(uint32_t alg, uint32_t mode, size_t key_len) {
    if (alg == ACRYPTO_ALG_AES) {
        size_t bits = (mode == ACRYPTO_MODE_XTS ? key_len / 2 : key_len) * 8;
        if (bits != 128 && bits != 192 && bits != 256) return {};
        if (mode == ACRYPTO_MODE_XTS && bits == 192) return {};
        std::string b = "AES-" + std::to_string(bits) + "-";
        switch (mode) {
        case ACRYPTO_MODE_ECB: return b + "ECB";
        case ACRYPTO_MODE_CBC: return b + "CBC";
        case ACRYPTO_MODE_CFB: return b + "CFB";
        case ACRYPTO_MODE_OFB: return b + "OFB";
        case ACRYPTO_MODE_CTR: return b + "CTR";
        case ACRYPTO_MODE_GCM: return b + "GCM";
        case ACRYPTO_MODE_XTS: return b + "XTS";
        default: return {};
        }
    }
    if (alg == ACRYPTO_ALG_DES || alg == ACRYPTO_ALG_DES_EDE3) {
        std::string b = alg == ACRYPTO_ALG_DES ? "DES-" : "DES-EDE3-";
        if (alg == ACRYPTO_ALG_DES && key_len != 8) return {};
        if (alg == ACRYPTO_ALG_DES_EDE3 && key_len != 24) return {};
        switch (mode) {
        case ACRYPTO_MODE_ECB: return b + "ECB";
        case ACRYPTO_MODE_CBC: return b + "CBC";
        case ACRYPTO_MODE_CFB: return b + "CFB";
        case ACRYPTO_MODE_OFB: return b + "OFB";
        default: return {};
        }
    }
    if (alg == ACRYPTO_ALG_CHACHA20 && key_len == 32) {
        if (mode == ACRYPTO_MODE_STREAM) return "ChaCha20";
        if (mode == ACRYPTO_MODE_POLY1305) return "ChaCha20-Poly1305";
    }
    return {};
}

std::string digest_name(uint32_t alg) {
    switch (alg) {
    case ACRYPTO_ALG_MD5: return "MD5";
    case ACRYPTO_ALG_SHA1: return "SHA1";
    case ACRYPTO_ALG_SHA224: return "SHA224";
    case ACRYPTO_ALG_SHA256: return "SHA256";
    case ACRYPTO_ALG_SHA384: return "SHA384";
    case ACRYPTO_ALG_SHA512: return "SHA512";
    default: return {};
    }
}

bool reference_has_cipher(uint32_t alg, uint32_t mode, size_t key_len) {
    std::string n = cipher_name(alg, mode, key_len);
    if (n.empty()) return false;
    EVP_CIPHER *c = EVP_CIPHER_fetch(refctx(), n.c_str(), nullptr);
    ERR_clear_error();
    EVP_CIPHER_free(c);
    return c != nullptr;
}

Bytes reference_cipher(uint32_t alg, uint32_t mode, uint32_t dir, std::span<const uint8_t> key,
                       std::span<const uint8_t> iv, std::span<const uint8_t> input,
                       CipherState *state) {
    std::string n = cipher_name(alg, mode, key.size());
    if (n.empty()) throw std::runtime_error("no reference cipher for this alg/mode/key size");
    Ptr<EVP_CIPHER> c(EVP_CIPHER_fetch(refctx(), n.c_str(), nullptr));
    if (!c) fail("fetch " + n);
    Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    if (static_cast<int>(key.size()) != EVP_CIPHER_get_key_length(c.get()))
        throw std::runtime_error(n + ": key length");
    int ivl = EVP_CIPHER_get_iv_length(c.get());
    if (ivl > 0 && static_cast<int>(iv.size()) < ivl) throw std::runtime_error(n + ": iv length");
    if (!EVP_CipherInit_ex2(ctx.get(), c.get(), key.data(), ivl > 0 ? iv.data() : nullptr,
                            dir == ACRYPTO_DIR_ENCRYPT ? 1 : 0, nullptr))
        fail("init " + n);
    EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
    Bytes out(input.size() + 32);
    int l1 = 0, l2 = 0;
    if (!input.empty() &&
        !EVP_CipherUpdate(ctx.get(), out.data(), &l1, input.data(), static_cast<int>(input.size())))
        fail("update " + n);
    if (!EVP_CipherFinal_ex(ctx.get(), out.data() + l1, &l2)) fail("final " + n);
    out.resize(static_cast<size_t>(l1 + l2));
    if (state) {
        state->iv.assign(static_cast<size_t>(ivl > 0 ? ivl : 0), 0);
        if (ivl > 0) EVP_CIPHER_CTX_get_updated_iv(ctx.get(), state->iv.data(), state->iv.size());
        int num = EVP_CIPHER_CTX_get_num(ctx.get());
        state->num = num > 0 ? static_cast<uint32_t>(num) : 0;
    }
    return out;
}

bool reference_aead(uint32_t alg, uint32_t mode, uint32_t dir, std::span<const uint8_t> key,
                    std::span<const uint8_t> iv, std::span<const uint8_t> aad,
                    std::span<const uint8_t> input, std::span<const uint8_t> tag_in,
                    uint32_t tag_len, Bytes *out, Bytes *tag) {
    std::string n = cipher_name(alg, mode, key.size());
    if (n.empty()) throw std::runtime_error("no reference AEAD for this alg/mode/key size");
    Ptr<EVP_CIPHER> c(EVP_CIPHER_fetch(refctx(), n.c_str(), nullptr));
    if (!c) fail("fetch " + n);
    Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    bool enc = dir == ACRYPTO_DIR_ENCRYPT;
    size_t ivlen = iv.size();
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                       OSSL_PARAM_construct_end()};
    if (!EVP_CipherInit_ex2(ctx.get(), c.get(), nullptr, nullptr, enc ? 1 : 0, nullptr))
        fail("init " + n);
    if (!EVP_CIPHER_CTX_set_params(ctx.get(), p)) fail("ivlen " + n);
    if (!EVP_CipherInit_ex2(ctx.get(), nullptr, key.data(), iv.data(), enc ? 1 : 0, nullptr))
        fail("key/iv " + n);
    int l = 0;
    if (!aad.empty() &&
        !EVP_CipherUpdate(ctx.get(), nullptr, &l, aad.data(), static_cast<int>(aad.size())))
        fail("aad " + n);
    out->assign(input.size() + 16, 0);
    int l1 = 0, l2 = 0;
    if (!input.empty() && !EVP_CipherUpdate(ctx.get(), out->data(), &l1, input.data(),
                                            static_cast<int>(input.size())))
        fail("update " + n);
    if (!enc) {
        Bytes t(tag_in.begin(), tag_in.end());
        if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(t.size()),
                                 t.data()))
            fail("set tag " + n);
    }
    int ok = EVP_CipherFinal_ex(ctx.get(), out->data() + l1, &l2);
    ERR_clear_error();
    out->resize(static_cast<size_t>(l1 + (ok ? l2 : 0)));
    if (enc && ok && tag) {
        tag->assign(tag_len, 0);
        if (!EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_len),
                                 tag->data()))
            fail("get tag " + n);
    }
    return ok == 1;
}

Bytes reference_digest(uint32_t alg, std::span<const uint8_t> input) {
    std::string n = digest_name(alg);
    if (n.empty()) throw std::runtime_error("no reference digest");
    Ptr<EVP_MD> md(EVP_MD_fetch(refctx(), n.c_str(), nullptr));
    if (!md) fail("fetch " + n);
    Bytes out(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    if (!EVP_Digest(input.data(), input.size(), out.data(), &len, md.get(), nullptr))
        fail("digest " + n);
    out.resize(len);
    return out;
}

namespace {

void put_be32(uint8_t *p, uint32_t v) {
    p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v);
}
void put_be64(uint8_t *p, uint64_t v) {
    put_be32(p, uint32_t(v >> 32));
    put_be32(p + 4, uint32_t(v));
}

} // namespace

Bytes reference_digest_state(uint32_t alg, std::span<const uint8_t> prefix) {
    size_t bs = digest_block_size(alg);
    if (!bs || prefix.size() % bs) throw std::runtime_error("prefix not a whole number of blocks");
    Bytes st(digest_state_size(alg));
    switch (alg) {
    case ACRYPTO_ALG_SHA1: {
        SHA_CTX c;
        SHA1_Init(&c);
        SHA1_Update(&c, prefix.data(), prefix.size());
        const uint32_t h[5] = {c.h0, c.h1, c.h2, c.h3, c.h4};
        for (int i = 0; i < 5; ++i) put_be32(st.data() + 4 * i, h[i]);
        break;
    }
    case ACRYPTO_ALG_SHA224:
    case ACRYPTO_ALG_SHA256: {
        SHA256_CTX c;
        alg == ACRYPTO_ALG_SHA224 ? SHA224_Init(&c) : SHA256_Init(&c);
        SHA256_Update(&c, prefix.data(), prefix.size());
        for (int i = 0; i < 8; ++i) put_be32(st.data() + 4 * i, c.h[i]);
        break;
    }
    case ACRYPTO_ALG_SHA384:
    case ACRYPTO_ALG_SHA512: {
        SHA512_CTX c;
        alg == ACRYPTO_ALG_SHA384 ? SHA384_Init(&c) : SHA512_Init(&c);
        SHA512_Update(&c, prefix.data(), prefix.size());
        for (int i = 0; i < 8; ++i) put_be64(st.data() + 8 * i, c.h[i]);
        break;
    }
    default: throw std::runtime_error("no chaining state for this digest");
    }
    return st;
}

Bytes reference_hmac(uint32_t alg, std::span<const uint8_t> key, std::span<const uint8_t> input) {
    std::string n = digest_name(alg);
    if (n.empty()) throw std::runtime_error("no reference digest");
    Bytes out(EVP_MAX_MD_SIZE);
    size_t len = 0;
    static const uint8_t nokey = 0;
    if (!EVP_Q_mac(refctx(), "HMAC", nullptr, n.c_str(), nullptr, key.empty() ? &nokey : key.data(),
                   key.size(), input.data(), input.size(), out.data(), out.size(), &len))
        fail("hmac " + n);
    out.resize(len);
    return out;
}

Bytes reference_cmac(uint32_t alg, std::span<const uint8_t> key, std::span<const uint8_t> input) {
    std::string n = cipher_name(alg, ACRYPTO_MODE_CBC, key.size());
    if (n.empty()) throw std::runtime_error("no reference CMAC cipher");
    Bytes out(16);
    size_t len = 0;
    if (!EVP_Q_mac(refctx(), "CMAC", nullptr, n.c_str(), nullptr, key.data(), key.size(),
                   input.data(), input.size(), out.data(), out.size(), &len))
        fail("cmac " + n);
    out.resize(len);
    return out;
}

} // namespace acrypto::test
