// SPDX-License-Identifier: Apache-2.0
// Emulator-private: the library context behind the GMI SM4 emulation.
#pragma once

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "emulator.hpp"

namespace acrypto::hw::padlock::emu {

/// A private library context with the default provider: the emulator may run inside a
/// process whose default context routes to acrypto itself.
struct Emulator::Gmi {
    OSSL_LIB_CTX *libctx = nullptr;
    OSSL_PROVIDER *prov = nullptr;
    EVP_CIPHER *sm4_ecb = nullptr;
    EVP_MD *sm3 = nullptr;
    Gmi();
    ~Gmi();
    Gmi(const Gmi &) = delete;
    Gmi &operator=(const Gmi &) = delete;
};

} // namespace acrypto::hw::padlock::emu
