// SPDX-License-Identifier: Apache-2.0
// Arch: which intel-ipsec-mb code path (AVX-512, AVX2, AVX, SSE) a manager runs, and its managers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <intel-ipsec-mb.h>

namespace acrypto::soft::mb {

/// Requested code path. Auto picks the widest the CPU and the library support.
enum class Arch : uint8_t { Auto, Avx512, Avx2, Avx, Sse };

/// "auto", "avx512", "avx2", "avx", "sse".
std::string_view arch_name(Arch a) noexcept;
/// Parse a configuration value; false when unknown.
bool parse_arch(std::string_view text, Arch *out) noexcept;
/// The IMB_ARCH value of a concrete arch (for the "arch" statistic).
uint32_t imb_arch_code(Arch a) noexcept;

/// What the library detected on this CPU (imb_get_feature_flags()).
uint64_t cpu_features() noexcept;
/// Whether `a` (not Auto) can run here.
bool arch_supported(Arch a, uint64_t features) noexcept;
/// Resolve `want` to a concrete arch. Returns false with a message naming the
/// missing CPU features when it cannot run here.
bool resolve_arch(Arch want, uint64_t features, Arch *out, std::string *why);
/// "aesni pclmul avx avx2 vaes ..." for logs.
std::string describe_features(uint64_t features);
/// Whether the runtime library is at least as new as the headers we were built with.
bool library_version_ok(std::string *why);

/// Frees an IMB_MGR allocated by make_manager.
struct ManagerDeleter {
    void operator()(IMB_MGR *m) const noexcept;
};
using ManagerPtr = std::unique_ptr<IMB_MGR, ManagerDeleter>;

/// Allocate and initialise a manager for concrete arch `a` (one per thread: not thread-safe).
/// nullptr with `*why` on failure.
ManagerPtr make_manager(Arch a, std::string *why);

/// Lanes one multi-buffer AES-CBC encrypt manager fills at this arch (8 or 16).
uint32_t cbc_lanes(Arch a) noexcept;

} // namespace acrypto::soft::mb
