#pragma once
/// Longley-Rice (ITM, radio/itm.hpp) in the area sweep (issue #8): the pixels of a source are
/// grouped by the ray and sample of the RadialSweep nearest to them, and each ray is walked once
/// from the site outwards with an incremental itm::RayProfile, so the part of ITM's terrain
/// analysis that depends only on the ray's prefix (prefix sums, horizon envelopes) is shared by
/// every pixel on it; each pixel then gets ITM's geometry on its own ground (as the receiver's
/// elevation) and one itm::p2p per band.
///
/// What is approximated, as in the Bullington sweep: the terrain between the site and a pixel is
/// the nearest ray's (at most half a ray spacing aside), sampled every grid step, and the pixel's
/// distance is the nearest sample's; the loss is moved to the pixel's own distance by the free-
/// space term, 20·log10(d / (k·step)) [P.525 eq (4)] (below 15 m of error in distance, so under
/// 0.13 dB from 1 km out; ITM's other terms change much more slowly with distance).
/// Pixels within one step of the site take the first sample's geometry (ITM is defined from 1 km
/// [V1.4]: near the site it is extrapolated, as SPLAT! does).

#include <cstdint>
#include <span>
#include <vector>

#include "phusong/coverage/sweep.hpp"
#include "phusong/radio/itm_ray.hpp"

namespace phusong::coverage {

class ItmRays {
public:
    /// Forgets the queued pixels; `sweep` is the source's (already run) sweep.
    void reset(const RadialSweep& sweep);
    /// Queues pixel `id` (an index into the caller's result), at `distance_m` from the site
    /// along ray `ray` (the sweep must reach it: RadialSweep::reaches), on ground `ground_m`.
    void add(std::uint32_t id, int ray, double distance_m, float ground_m);
    /// ITM's loss, dB, of every queued pixel for every band: out[b·n_ids + id]; NaN where ITM is
    /// not defined (N_s outside 150–400 N-units, or ground constants unsuited to the frequency).
    /// `bands` carry each band's frequency, the source's antenna height as h_tx and the receiver
    /// height as h_rx. Returns the number of pixel × band pairs where ITM failed.
    std::size_t evaluate(const RadialSweep& sweep, std::span<const radio::itm::Params> bands, std::size_t n_ids,
                         std::span<float> out);

private:
    struct Pixel {
        std::uint32_t id;
        float distance_m;
        float ground_m;
    };
    double m_step_m = 0;
    std::uint64_t m_samples = 0;        ///< samples per ray + 1 (key = ray·m_samples + sample)
    /// Sorts m_keyed (radix sort).
    void sort_keyed();
    std::vector<std::uint64_t> m_keyed; ///< (key << 32) | position in m_pixels
    std::vector<std::uint64_t> m_scratch;
    std::vector<Pixel> m_pixels;
    std::vector<radio::itm::RayProfile> m_profiles;  ///< one per distinct N_0 of the bands
};

}  // namespace phusong::coverage
