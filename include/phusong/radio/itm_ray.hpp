#pragma once
/// ITM's terrain analysis for every prefix of a ray, incrementally (issue #8, ITM in the area
/// sweep).
///
/// The area sweep samples the terrain once per ray, at a fixed step from the site (sample 0)
/// outwards, and every pixel at distance k·step needs ITM's loss over the sub-profile 0..k.
/// `analyse_profile` on every prefix costs O(k) each, O(N²) per ray. RayProfile takes the
/// samples one at a time and gives the `PathGeometry` of the current prefix, reusing what
/// depends only on the prefix; the loss is then `itm::p2p(geometry, params)` as usual.
///
/// What is exact. Every field of the geometry is the one `analyse_profile` returns on the same
/// prefix, up to floating-point rounding (the test finds |Δ| ≤ 1e-9 dB in the loss over every
/// prefix of the anchor profiles and of synthetic rays):
///  * h_sys (mean of the middle 80 % [V1.4]) and the least-squares lines ("zlsq1" [Alg §3]) come
///    from prefix sums of z and i·z (long double): O(1). They are the same sums in another order,
///    so they differ from the direct loops by rounding only (≤ 1e-10 m on a 3,679-sample path).
///  * N_s and γ_e follow h_sys, so they change with every prefix [TN101 Eqns 4.3, 4.4] and the
///    horizons are searched at that prefix's curvature, not at a frozen one:
///    - TX horizon ("hzns" [TN101 Eqn 6.15]): the elevation angle of sample i seen from the TX is
///      a_i − b_i·γ_e with a_i = (z_i − z_tx)/x_i, b_i = x_i/2, a straight line in γ_e. The upper
///      envelope of these lines (a convex-hull trick, amortised O(1) per sample) gives the
///      horizon at any γ_e by binary search, O(log k).
///    - RX horizon: seen from the new receiver, the horizon is the tangent from the receiver to
///      the upper convex hull of the points (x_i, z_i − γ·x_i²/2). That hull depends on γ; it is
///      kept at a reference γ_ref ≥ γ_e (rebuilt when γ_e passes it or drifts far below), whose
///      vertices include every vertex of the hull at γ_e. A binary search finds the tangent at
///      γ_ref and a short walk towards the TX, bounded by (γ_ref − γ_e)·d/2, finds the exact
///      tangent at γ_e: O(log k) plus a few steps.
///  * Δh ("d1thx" [Alg §3; ERL79 Eqn 3]) resamples the terrain between d_start and d_end onto at
///    most 245 points whose positions all move with k, so no part of its arithmetic carries over
///    from one prefix to the next. It is recomputed on every prefix with ITM's own routine
///    (detail::terrain_delta_h): O(1) in k (≤ 245 points), and the largest part of the cost.
///    What does carry over is a guess: the last prefix's interdecile values, with which the
///    selection looks at about k values instead of n/2 (detail::DeltaHHint; same result).
///
/// Nothing is approximate. Holding Δh between exact recomputations every m samples was measured
/// and rejected: over 48k prefixes of synthetic hilly 10 km rays (30 m step, 1800 MHz, h_tx 10,
/// 30, 60 m) the loss error had p95 0.21 dB already at m = 2 (0.36 dB at m = 4, 0.46 dB at
/// m = 8; maxima 5–11 dB), because Δh moves by several metres from one prefix to the next and
/// enters the line-of-sight horizons [Alg Eqns 3.3–3.4] and the diffraction weighting.
///
/// A pixel whose own ground differs from sample k's. The pixel at distance k·step beside the
/// ray has its own DEM height. `geometry_at_ground(z)` evaluates the profile 0..k with sample
/// k's elevation replaced by z, exactly (same as analyse_profile on that modified profile).
/// What changes: the RX antenna's elevation z + h_rx, hence the RX horizon (angle and distance)
/// and the TX-side chord (the line-of-sight candidate of the TX horizon); the RX effective height
/// h_e = h_rx + max(0, z − fitted line at k); Δh, through the last resampled points (sample k
/// enters by linear interpolation when d_end is within one step of it); and h_sys only for
/// prefixes shorter than 10 samples (ITM leaves out the last 10 % of the points). The terrain of
/// the samples 1..k−1 is still the ray's, not the pixel's own bearing: that approximation is the
/// sweep's, measured by the sweep against exact per-pixel profiles.
///
/// Equal spacings: the horizon distances are bit-for-bit those of analyse_profile when the
/// multiples of the spacing are exact in double (an integer or a binary fraction of a metre,
/// e.g. 30 m or 12.5 m); for other spacings the RX horizon distance is recomputed by ITM's own
/// repeated subtraction, O(k) for that one value.
///
/// Cost per prefix of 333-sample rays (10 km at 30 m), measured on the shared 2-core development
/// machine under load: geometry 2.8 µs against 4.5 µs for analyse_profile (×1.6), of which Δh is
/// ~1.5–2 µs and the rest (prefix sums, envelope, hull, fits) well under 1 µs; with p2p
/// (1800 MHz) 3.9 µs against 5.4 µs (×1.4). The RX hull was rebuilt 1–9 times per ray. The
/// skipped "RayProfile speed" case in tests/radio/test_itm_ray.cpp measures it. Since then Δh's
/// selection is branch-free and p2p reuses its Params-only terms: geometry_at_ground ≈ 1.4 µs,
/// + p2p ≈ 1.9 µs per prefix (same rays, quieter moment on the same machine). Since then the
/// selection starts from the last prefix's values and the resampling has no loop-carried
/// additions (and an AVX2 build): geometry 0.93 µs, + p2p 1.70 µs (analyse_profile, which
/// shares the Δh routine without the guess: 2.2 and 2.6 µs).
///
/// Not thread-safe: one RayProfile per thread (the queries update internal caches); `clear()`
/// keeps the capacity for the next ray.

#include <cstddef>
#include <vector>

#include "phusong/radio/detail/itm_terrain.hpp"
#include "phusong/radio/itm.hpp"

namespace phusong::radio::itm {

/// ITM point-to-point terrain analysis (`analyse_profile`) of every prefix of a ray of equally
/// spaced terrain samples, the transmitter at sample 0. See the file comment for what is exact.
class RayProfile {
  public:
    /// `spacing_m`: distance between samples, m (> 0); `h_tx_m`, `h_rx_m`: antenna heights
    /// above ground, m (0.5..3000); `n0`: surface refractivity at sea level, N-units
    /// (250..400). Throws std::invalid_argument on values outside these ranges.
    RayProfile(double spacing_m, double h_tx_m, double h_rx_m, double n0);

    /// Forgets the samples (a new ray, same spacing, heights and N_0); keeps the memory.
    void clear();
    /// Reserves memory for `n_samples` samples.
    void reserve(std::size_t n_samples);
    /// Appends the ground elevation of the next sample, m above mean sea level. Throws
    /// std::invalid_argument if it is not finite (fill nodata first).
    void push(double elevation_m);

    /// Samples pushed so far (the prefix 0..size()−1).
    [[nodiscard]] std::size_t size() const noexcept { return m_z.size(); }
    /// Distance of the last sample from the TX, m.
    [[nodiscard]] double distance_m() const noexcept;

    /// Geometry of the profile 0..size()−1, the RX at the last sample, whose elevation is
    /// replaced by `rx_ground_m` (a pixel's own DEM height, m above mean sea level; the sample's
    /// own elevation for the profile as pushed): equal (up to rounding) to
    /// `analyse_profile(samples, spacing, h_tx, h_rx, n0)` on the profile so changed. Needs
    /// size() ≥ 2 (std::logic_error otherwise); std::invalid_argument if `rx_ground_m` is not
    /// finite.
    [[nodiscard]] PathGeometry geometry_at_ground(double rx_ground_m);

    /// How often the RX-horizon hull has been rebuilt for a new reference curvature
    /// (diagnostics).
    [[nodiscard]] std::size_t hull_rebuilds() const noexcept { return m_rebuilds; }

  private:
    PathGeometry evaluate(double z_end, bool own_ground);
    void insert_point(std::size_t i);  // sample i becomes an interior point of later prefixes
    void rebuild_hull(double gamma_ref);
    /// Appends sample i to the RX-side upper hull at m_gamma_ref (Andrew's monotone chain).
    void push_hull_point(std::size_t i);
    std::size_t tx_horizon(double gamma) const;  // position in m_env
    int rx_horizon(int np, double z_rx, double gamma, double a_e, double& theta);
    detail::LineFit fit(int np, double z_end, double d_start, double d_end) const;
    double delta_h(int np, double z_end, bool own_ground, double d_start, double d_end);

    double m_spacing;
    double m_h_tx;
    double m_h_rx;
    double m_n0;
    bool m_exact_multiples;  ///< i·spacing is exact for every i we can meet

    std::vector<double> m_z;  ///< elevations, m
    std::vector<double> m_x;  ///< x_i by repeated addition, as ITM's horizon loop, m
    // Prefix sums in extended precision: a line's moment is the difference of two sums ~1e9 on
    // a long path (3,679 samples: 2e-7 m of h_e in double, 1e-10 m in long double).
    std::vector<long double> m_p0;  ///< m_p0[i] = Σ_{j<i} (z_j − z_0)
    std::vector<long double> m_p1;  ///< m_p1[i] = Σ_{j<i} j·(z_j − z_0)

    // TX horizon: upper envelope of the lines a_i − b_i·γ (samples in insertion order).
    std::vector<double> m_a;         ///< a_i = (z_i − z_tx)/x_i, per sample
    std::vector<int> m_env;          ///< sample indices on the envelope, b increasing
    std::vector<double> m_env_from;  ///< γ where m_env[j] and m_env[j−1] cross (+∞ for j = 0)

    // RX horizon: upper hull of (x_i, z_i − γ_ref·x_i²/2) over the interior samples.
    std::vector<int> m_hull;
    std::vector<double> m_w;  ///< z_i − γ_ref·x_i²/2, per sample
    double m_gamma_ref = 0.0;
    bool m_hull_valid = false;
    std::size_t m_rebuilds = 0;
    detail::DeltaHHint m_delta_h_hint;  ///< the last prefix's interdecile values (detail::terrain_delta_h)
};

}  // namespace phusong::radio::itm
