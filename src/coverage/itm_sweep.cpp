#include "phusong/coverage/itm_sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace phusong::coverage {

void ItmRays::reset(const RadialSweep& sweep) {
    m_step_m = sweep.step_m();
    m_samples = static_cast<std::uint64_t>(sweep.samples()) + 1;
    m_keyed.clear();
    m_pixels.clear();
}

void ItmRays::add(std::uint32_t id, int ray, double distance_m, float ground_m) {
    // The nearest sample, as RadialSweep::losses_db; the site's own sample takes the first.
    const auto sample = static_cast<std::uint64_t>(std::max(1L, round_half_away(distance_m / m_step_m)));
    const std::uint64_t key = static_cast<std::uint64_t>(ray) * m_samples + sample;
    m_keyed.push_back(key << 32 | m_pixels.size());
    m_pixels.push_back({id, static_cast<float>(distance_m), ground_m});
}

void ItmRays::sort_keyed() {
    // By (ray, sample), then insertion order: a stable LSD radix sort on the key's bits, 11 at a
    // time (the keys are below rays × samples, about 2^20: two passes), the same order as sorting
    // the whole words, in linear time.
    constexpr int kBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    std::uint64_t max_key = 0;
    for (const std::uint64_t v : m_keyed) max_key = std::max(max_key, v >> 32);
    m_scratch.resize(m_keyed.size());
    std::vector<std::size_t> start(kBuckets + 1);
    for (int shift = 32; shift < 64 && (max_key >> (shift - 32)) != 0; shift += kBits) {
        std::fill(start.begin(), start.end(), 0);
        for (const std::uint64_t v : m_keyed) ++start[((v >> shift) & (kBuckets - 1)) + 1];
        for (std::size_t b = 1; b <= kBuckets; ++b) start[b] += start[b - 1];
        for (const std::uint64_t v : m_keyed) m_scratch[start[(v >> shift) & (kBuckets - 1)]++] = v;
        m_keyed.swap(m_scratch);
    }
}

std::size_t ItmRays::evaluate(const RadialSweep& sweep, std::span<const radio::itm::Params> bands,
                              std::size_t n_ids, std::span<float> out) {
    if (bands.empty() || m_keyed.empty()) return 0;
    sort_keyed();
    // One profile per distinct N_0 (the geometry depends on it, not on the band).
    std::vector<double> n0s;
    std::vector<std::size_t> profile_of;
    for (const radio::itm::Params& b : bands) {
        auto it = std::find(n0s.begin(), n0s.end(), b.n0);
        if (it == n0s.end()) it = n0s.insert(n0s.end(), b.n0);
        profile_of.push_back(static_cast<std::size_t>(it - n0s.begin()));
    }
    m_profiles.clear();
    for (double n0 : n0s) m_profiles.emplace_back(m_step_m, bands[0].h_tx_m, bands[0].h_rx_m, n0);
    std::vector<radio::itm::PathGeometry> geometry(n0s.size());

    std::size_t failed = 0;
    std::size_t i = 0;
    while (i < m_keyed.size()) {
        const std::uint64_t ray = (m_keyed[i] >> 32) / m_samples;
        const std::span<const float> heights = sweep.ray_heights(static_cast<int>(ray));
        for (auto& p : m_profiles) {
            p.clear();
            p.reserve(heights.size());
            p.push(heights[0]);
        }
        std::size_t pushed = 1;  // samples 0 … pushed − 1 are in the profiles
        for (; i < m_keyed.size() && (m_keyed[i] >> 32) / m_samples == ray; ++i) {
            const std::size_t k = (m_keyed[i] >> 32) % m_samples;
            for (; pushed <= k; ++pushed) {
                for (auto& p : m_profiles) p.push(heights[pushed]);
            }
            const Pixel& px = m_pixels[m_keyed[i] & 0xffffffffU];
            for (std::size_t j = 0; j < m_profiles.size(); ++j) geometry[j] = m_profiles[j].geometry_at_ground(px.ground_m);
            // From the sample's distance to the pixel's: the free-space term (itm_sweep.hpp).
            const double shift = 20.0 * std::log10(std::max(static_cast<double>(px.distance_m), 1.0) /
                                                   (static_cast<double>(k) * m_step_m));
            for (std::size_t b = 0; b < bands.size(); ++b) {
                float& loss = out[b * n_ids + px.id];
                try {
                    loss = static_cast<float>(radio::itm::p2p(geometry[profile_of[b]], bands[b]).loss_db + shift);
                } catch (const std::domain_error&) {  // outside ITM's model (radio/itm.hpp p2p)
                    loss = std::numeric_limits<float>::quiet_NaN();
                    ++failed;
                }
            }
        }
    }
    return failed;
}

}  // namespace phusong::coverage
