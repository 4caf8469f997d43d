// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: HIFN command encoding and result-record validation (check_result) on device
// write-backs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "command.hpp"
#include "fuzz_input.hpp"
#include "regs.hpp"

using namespace acrypto::hw::hifn;

namespace {

using acrypto::fuzz::Input;

} // namespace

// Input: a command description (what the driver would build), then the record the device wrote.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const uint8_t iv[16] = {0};
    static const uint8_t mac_key[64] = {0x5c};
    static const size_t key_sizes[] = {0, 8, 16, 24, 32, 5};

    CommandSpec s;
    uint32_t f = in.take(1);
    s.crypt = f & 1;
    s.mac = f & 2;
    s.decode = f & 4;
    s.mac_md5 = f & 8;
    s.mac_hmac = f & 16;
    s.send_key = f & 32;
    s.send_mac_key = f & 64;
    s.crypt_alg = static_cast<uint16_t>(in.take(1) & regs::HIFN_CRYPT_CMD_ALG_MASK);
    s.crypt_mode = static_cast<uint16_t>(in.take(1) & regs::HIFN_CRYPT_CMD_MODE_MASK);
    s.key = std::span<const uint8_t>(key, key_sizes[in.take(1) % 6]);
    if (s.crypt_mode != regs::HIFN_CRYPT_CMD_MODE_ECB)
        s.iv = std::span<const uint8_t>(iv, s.crypt_alg == regs::HIFN_CRYPT_CMD_ALG_AES ? 16 : 8);
    s.mac_key = std::span<const uint8_t>(mac_key, in.take(1) % 65);
    s.src_len = in.take(3) & 0x3ffff;
    s.dst_len = (in.take(3) & 0x3ffff) & ~3u;
    s.session = static_cast<uint16_t>(in.take(2));
    uint32_t out_min = in.take(3) & 0x3ffff;
    uint32_t out_max = out_min + (in.take(2) & 0xffff);

    uint8_t cmd[kMaxCommandBytes + 16];
    size_t n = encode_command(s, cmd);
    if (n > kMaxCommandBytes) abort(); // the encoder wrote past the documented maximum

    // The result record: exactly the slot's result buffer, heap-allocated so ASan bounds it.
    size_t rec_len = in.n < kResultBytes ? in.n : kResultBytes;
    uint8_t *rec = static_cast<uint8_t *>(malloc(rec_len ? rec_len : 1));
    if (rec_len) memcpy(rec, in.p, rec_len);
    ResultCheck r = check_result(s, std::span<const uint8_t>(rec, rec_len), out_min, out_max);
    if (r.status == ResultStatus::Ok &&
        (r.out_len > s.dst_len || r.out_len < out_min || r.out_len > out_max))
        abort(); // a validated record promised bytes the driver never posted
    ResultLayout lay = result_layout(s);
    if (lay.size > kResultBytes) abort(); // the layout outgrows the buffer every slot gets
    free(rec);
    return 0;
}
