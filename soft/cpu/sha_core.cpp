// SPDX-License-Identifier: Apache-2.0
// ShaCtx over SHA_CTX / SHA256_CTX / SHA512_CTX (deprecated API: used for its exposed state).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "sha_core.hpp"

#include <cstring>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace acrypto::soft::cpu {

namespace {

constexpr ShaInfo kInfo[] = {
    {ACRYPTO_ALG_SHA1, 20, 20, 64},    {ACRYPTO_ALG_SHA224, 28, 32, 64},
    {ACRYPTO_ALG_SHA256, 32, 32, 64},  {ACRYPTO_ALG_SHA384, 48, 64, 128},
    {ACRYPTO_ALG_SHA512, 64, 64, 128},
};

static_assert(sizeof(SHA512_CTX) <= 256 && sizeof(SHA256_CTX) <= 256 && sizeof(SHA_CTX) <= 256);

uint32_t be32(const uint8_t *p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint64_t be64(const uint8_t *p) { return uint64_t(be32(p)) << 32 | be32(p + 4); }
void put32(uint8_t *p, uint32_t v) {
    p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v);
}
void put64(uint8_t *p, uint64_t v) {
    put32(p, uint32_t(v >> 32));
    put32(p + 4, uint32_t(v));
}

} // namespace

const ShaInfo *sha_info(uint32_t alg) noexcept {
    for (const auto &i : kInfo)
        if (i.alg == alg) return &i;
    return nullptr;
}

bool ShaCtx::init(uint32_t alg) noexcept {
    info_ = sha_info(alg);
    if (!info_) return false;
    switch (alg) {
    case ACRYPTO_ALG_SHA1: SHA1_Init(reinterpret_cast<SHA_CTX *>(u_)); break;
    case ACRYPTO_ALG_SHA224: SHA224_Init(reinterpret_cast<SHA256_CTX *>(u_)); break;
    case ACRYPTO_ALG_SHA256: SHA256_Init(reinterpret_cast<SHA256_CTX *>(u_)); break;
    case ACRYPTO_ALG_SHA384: SHA384_Init(reinterpret_cast<SHA512_CTX *>(u_)); break;
    default: SHA512_Init(reinterpret_cast<SHA512_CTX *>(u_)); break;
    }
    return true;
}

bool ShaCtx::load(uint32_t alg, const uint8_t *state, uint64_t absorbed) noexcept {
    if (!init(alg) || absorbed % info_->block_len != 0) return false;
    const uint64_t bits = absorbed * 8;
    switch (alg) {
    case ACRYPTO_ALG_SHA1: {
        auto *c = reinterpret_cast<SHA_CTX *>(u_);
        c->h0 = be32(state), c->h1 = be32(state + 4), c->h2 = be32(state + 8);
        c->h3 = be32(state + 12), c->h4 = be32(state + 16);
        c->Nl = static_cast<SHA_LONG>(bits), c->Nh = static_cast<SHA_LONG>(bits >> 32);
        break;
    }
    case ACRYPTO_ALG_SHA224:
    case ACRYPTO_ALG_SHA256: {
        auto *c = reinterpret_cast<SHA256_CTX *>(u_);
        for (int i = 0; i < 8; ++i) c->h[i] = be32(state + 4 * i);
        c->Nl = static_cast<SHA_LONG>(bits), c->Nh = static_cast<SHA_LONG>(bits >> 32);
        break;
    }
    default: {
        auto *c = reinterpret_cast<SHA512_CTX *>(u_);
        for (int i = 0; i < 8; ++i) c->h[i] = be64(state + 8 * i);
        c->Nl = bits, c->Nh = absorbed >> 61;
        break;
    }
    }
    return true;
}

void ShaCtx::update(const uint8_t *p, size_t n) noexcept {
    if (n == 0) return;
    switch (info_->alg) {
    case ACRYPTO_ALG_SHA1: SHA1_Update(reinterpret_cast<SHA_CTX *>(u_), p, n); break;
    case ACRYPTO_ALG_SHA224:
    case ACRYPTO_ALG_SHA256: SHA256_Update(reinterpret_cast<SHA256_CTX *>(u_), p, n); break;
    default: SHA512_Update(reinterpret_cast<SHA512_CTX *>(u_), p, n); break;
    }
}

void ShaCtx::final(uint8_t *out) noexcept {
    switch (info_->alg) {
    case ACRYPTO_ALG_SHA1: SHA1_Final(out, reinterpret_cast<SHA_CTX *>(u_)); break;
    case ACRYPTO_ALG_SHA224: SHA224_Final(out, reinterpret_cast<SHA256_CTX *>(u_)); break;
    case ACRYPTO_ALG_SHA256: SHA256_Final(out, reinterpret_cast<SHA256_CTX *>(u_)); break;
    case ACRYPTO_ALG_SHA384: SHA384_Final(out, reinterpret_cast<SHA512_CTX *>(u_)); break;
    default: SHA512_Final(out, reinterpret_cast<SHA512_CTX *>(u_)); break;
    }
    wipe();
}

void ShaCtx::store(uint8_t *state) const noexcept {
    switch (info_->alg) {
    case ACRYPTO_ALG_SHA1: {
        auto *c = reinterpret_cast<const SHA_CTX *>(u_);
        put32(state, c->h0), put32(state + 4, c->h1), put32(state + 8, c->h2);
        put32(state + 12, c->h3), put32(state + 16, c->h4);
        break;
    }
    case ACRYPTO_ALG_SHA224:
    case ACRYPTO_ALG_SHA256: {
        auto *c = reinterpret_cast<const SHA256_CTX *>(u_);
        for (int i = 0; i < 8; ++i) put32(state + 4 * i, c->h[i]);
        break;
    }
    default: {
        auto *c = reinterpret_cast<const SHA512_CTX *>(u_);
        for (int i = 0; i < 8; ++i) put64(state + 8 * i, c->h[i]);
        break;
    }
    }
}

void ShaCtx::wipe() noexcept { OPENSSL_cleanse(u_, sizeof(u_)); }

} // namespace acrypto::soft::cpu
