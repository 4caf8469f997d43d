// SPDX-License-Identifier: Apache-2.0
// RngModel: deterministic AES-CTR stream standing in for the xstore noise source.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "rng_model.hpp"

#include <cstring>

#include <sys/random.h>

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "../regs.hpp"

namespace acrypto::hw::padlock::emu {

namespace {

struct FaultRow {
    RngFault fault;
    const char *name;
};
constexpr FaultRow kFaults[] = {
    {RngFault::None, "none"},
    {RngFault::Stuck, "stuck"},
    {RngFault::StuckBits, "stuck-bits"},
    {RngFault::NotReady, "not-ready"},
    {RngFault::Bias, "bias"},
    {RngFault::FilterFailed, "filter-failed"},
    {RngFault::RawBits, "raw-bits"},
    {RngFault::Disabled, "disabled"},
    {RngFault::BadCount, "bad-count"},
};

} // namespace

const char *rng_fault_name(RngFault f) {
    for (const auto &r : kFaults)
        if (r.fault == f) return r.name;
    return "?";
}

std::optional<RngFault> parse_rng_fault(std::string_view name) {
    for (const auto &r : kFaults)
        if (name == r.name) return r.fault;
    return std::nullopt;
}

RngModel::RngModel(const RngOptions &opts) : fault_(opts.fault), two_sources_(opts.two_sources) {
    uint8_t seed[32] = {};
    if (opts.seed) {
        uint8_t s[8];
        for (int i = 0; i < 8; ++i) s[i] = static_cast<uint8_t>(*opts.seed >> (8 * i));
        SHA256(s, sizeof s, seed);
    } else if (getrandom(seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
        // Straight from the kernel, never RAND_bytes: this runs while the provider starts, and
        // touching libcrypto's DRBG here would seed it before acrypto's own seed source exists.
        // Fall back to a fixed key: the model is a test double, not a real source.
        SHA256(reinterpret_cast<const uint8_t *>("acrypto-padlock"), 15, seed);
    }
    std::memcpy(key_, seed, sizeof key_);
    std::memset(ctr_, 0, sizeof ctr_);
    OPENSSL_cleanse(seed, sizeof seed);
}

RngModel::~RngModel() {
    OPENSSL_cleanse(key_, sizeof key_);
    OPENSSL_cleanse(buf_, sizeof buf_);
}

void RngModel::set_fault(RngFault f) {
    std::lock_guard lk(mu_);
    fault_ = f;
}

RngFault RngModel::fault() const {
    std::lock_guard lk(mu_);
    return fault_;
}

void RngModel::refill() {
    AES_KEY k;
    AES_set_encrypt_key(key_, 256, &k);
    AES_encrypt(ctr_, buf_, &k);
    OPENSSL_cleanse(&k, sizeof k);
    for (int i = 15; i >= 0 && ++ctr_[i] == 0; --i) {}
    used_ = 0;
}

uint32_t RngModel::produce(uint8_t *out, size_t len, size_t valid) {
    std::lock_guard lk(mu_);
    for (size_t i = 0; i < len; ++i) {
        if (used_ == sizeof buf_) refill();
        out[i] = buf_[used_++];
    }
    uint32_t status = regs::XSTORE_RNG_ENABLED | regs::XSTORE_SOURCE1 |
                      (two_sources_ ? regs::XSTORE_SOURCE2 : 0u);
    uint32_t count = static_cast<uint32_t>(valid);
    switch (fault_) {
    case RngFault::None: break;
    case RngFault::Stuck: std::memset(out, 0x5A, len); break;
    case RngFault::StuckBits:
        for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(out[i] | 0xFC);
        break;
    case RngFault::NotReady: count = 0; break;
    case RngFault::Bias: status |= 1u << 10; break;
    case RngFault::FilterFailed:
        status |= regs::XSTORE_FILTER_ENABLED | regs::XSTORE_FILTER_FAILED;
        break;
    case RngFault::RawBits: status |= regs::XSTORE_RAW_BITS; break;
    case RngFault::Disabled: status &= ~regs::XSTORE_RNG_ENABLED; break;
    case RngFault::BadCount: count = valid == 1 ? 3 : static_cast<uint32_t>(valid - 1); break;
    }
    return status | (count & regs::XSTORE_COUNT_MASK);
}

} // namespace acrypto::hw::padlock::emu
