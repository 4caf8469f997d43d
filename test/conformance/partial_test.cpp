// SPDX-License-Identifier: Apache-2.0
// Conformance: digest/HMAC continuation (ACRYPTO_CAP_F_PARTIAL) across chunks.
#include "conformance.hpp"

namespace acrypto::test::conformance {

class Partial : public DeviceConformance {
  protected:
    /// Feed `in` as chunks of `plan` bytes (all but the last whole blocks); return the result.
    Bytes chunked(uint32_t op, uint32_t alg, const Bytes &key, const Bytes &in,
                  const std::vector<size_t> &plan, Bytes *first_state, uint64_t *first_len);
};

Bytes Partial::chunked(uint32_t op, uint32_t alg, const Bytes &key, const Bytes &in,
                       const std::vector<size_t> &plan, Bytes *first_state, uint64_t *first_len) {
    std::unique_ptr<OwnedSession> s =
        op == ACRYPTO_OP_DIGEST ? make_digest(alg, {}, 0) : make_hmac(alg, key, {}, 0);
    size_t off = 0;
    for (size_t i = 0; i < plan.size(); ++i) {
        uint32_t flags =
            (i == 0 ? ACRYPTO_STEP_F_FIRST : 0) | (i + 1 == plan.size() ? ACRYPTO_STEP_F_FINAL : 0);
        s->set_input(0, {in.data() + off, plan[i]}, {}, digest_size(alg));
        s->step().flags = flags;
        int rc = run(*s);
        EXPECT_EQ(rc, ACRYPTO_OK) << "chunk " << i << " at " << off;
        if (rc != ACRYPTO_OK) return {};
        if (i + 1 < plan.size()) {
            EXPECT_EQ(s->step().out_len, 0u) << "a non-final chunk writes no output";
            EXPECT_EQ(s->step().state_len, off + plan[i]) << "state_len counts absorbed bytes";
        }
        if (i == 0 && first_state) {
            first_state->assign(s->step().state, s->step().state + digest_state_size(alg));
            *first_len = s->step().state_len;
        }
        off += plan[i];
    }
    return s->output_bytes();
}

TEST_P(Partial, DigestContinuation) {
    int ran = 0;
    for (const auto *cap : caps_of(ACRYPTO_OP_DIGEST)) {
        if (!(cap->flags & ACRYPTO_CAP_F_PARTIAL) || digest_name(cap->alg).empty()) continue;
        const size_t b = digest_block_size(cap->alg);
        const std::vector<std::vector<size_t>> plans = {
            {2 * b, 3 * b, 17}, {b, b, b, 0}, {4 * b, b - 1}, {b, 4096 * b + b / 2}};
        uint64_t seed = 100;
        for (const auto &plan : plans) {
            size_t total = 0;
            for (size_t c : plan) total += c;
            if (total > max_bytes(*cap)) continue;
            const Bytes in = pattern_bytes(total, seed++);
            Bytes st;
            uint64_t st_len = 0;
            Bytes got = chunked(ACRYPTO_OP_DIGEST, cap->alg, {}, in, plan, &st, &st_len);
            if (HasFailure()) return;
            EXPECT_EQ(to_hex(got), to_hex(reference_digest(cap->alg, in))) << cap_name(*cap);
            // The state after the first chunk is the FIPS 180 chaining value, big-endian.
            EXPECT_EQ(st_len, plan[0]);
            EXPECT_EQ(to_hex(st), to_hex(reference_digest_state(cap->alg, {in.data(), plan[0]})))
                << cap_name(*cap) << ": state is not the FIPS 180 chaining value";
            ++ran;
        }
    }
    if (!ran) GTEST_SKIP() << "no digest capability with ACRYPTO_CAP_F_PARTIAL";
}

TEST_P(Partial, DigestResumesFromReferenceState) {
    // The device must accept a state it did not produce (FIPS 180 words, big-endian).
    int ran = 0;
    for (const auto *cap : caps_of(ACRYPTO_OP_DIGEST)) {
        if (!(cap->flags & ACRYPTO_CAP_F_PARTIAL) || digest_name(cap->alg).empty()) continue;
        const size_t b = digest_block_size(cap->alg);
        const Bytes in = pattern_bytes(3 * b + 9, 77);
        const Bytes st = reference_digest_state(cap->alg, {in.data(), 3 * b});
        auto s = make_digest(cap->alg, {in.data() + 3 * b, 9}, ACRYPTO_STEP_F_FINAL);
        std::copy(st.begin(), st.end(), s->step().state);
        s->step().state_len = 3 * b;
        ASSERT_EQ(run(*s), ACRYPTO_OK);
        EXPECT_EQ(to_hex(s->output()), to_hex(reference_digest(cap->alg, in))) << cap_name(*cap);
        ++ran;
    }
    if (!ran) GTEST_SKIP() << "no digest capability with ACRYPTO_CAP_F_PARTIAL";
}

TEST_P(Partial, HmacContinuation) {
    int ran = 0;
    for (const auto *cap : caps_of(ACRYPTO_OP_MAC, 0, ACRYPTO_MODE_HMAC)) {
        if (!(cap->flags & ACRYPTO_CAP_F_PARTIAL)) continue;
        const size_t b = digest_block_size(cap->alg);
        size_t k = 32;
        if (!cap_matches(*cap, cap->op, cap->alg, cap->mode, 0, k, 0))
            k = cap_key_sizes(*cap).front();
        const Bytes key = pattern_bytes(k, 9);
        for (const auto &plan : std::vector<std::vector<size_t>>{{b, 2 * b, 5}, {3 * b, 0}}) {
            size_t total = 0;
            for (size_t c : plan) total += c;
            const Bytes in = pattern_bytes(total, 10 + plan.size());
            Bytes got = chunked(ACRYPTO_OP_MAC, cap->alg, key, in, plan, nullptr, nullptr);
            if (HasFailure()) return;
            EXPECT_EQ(to_hex(got), to_hex(reference_hmac(cap->alg, key, in))) << cap_name(*cap);
            ++ran;
        }
    }
    if (!ran) GTEST_SKIP() << "no HMAC capability with ACRYPTO_CAP_F_PARTIAL";
}

INSTANTIATE_TEST_SUITE_P(Devices, Partial, ::testing::ValuesIn(load_device_confs()),
                         conf_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Partial);

} // namespace acrypto::test::conformance
