#pragma once
/// The area sweep (DESIGN.md "Area sweep"): terrain diffraction loss around one transmitter. Rays
/// go from the site to its radius; terrain is sampled once per ray and shared by every pixel on it.
///
/// Along a ray the Bullington terms of ITU-R P.452-17 §4.2.1 are kept incrementally, so that each
/// sample costs O(log n), not O(n): the slope from the Tx (eq 14) is a running maximum of
/// (g_i − hts)/d_i in curvature-corrected heights g_i = h_i − 500·d_i²/ae; the slope from the Rx
/// (eq 18) is the tangent from (d, hrs − 500·d²/ae) to the upper convex hull of (d_i, g_i), found by
/// binary search; the smooth-earth surface (eqs 161–164) comes from running sums, and the
/// obstruction terms of eq 165 from a running maximum and the flat-earth hull.
///
/// Each sample stores its two horizon points (the points achieving eqs 14 and 18) and the
/// smooth-earth correction of delta-Bullington, max(Ldsph − Lbulls, 0) (eq 40). A pixel then gets
/// its Bullington loss from the nearest ray and sample, but with its own exact distance and
/// ground height as the receiver. The approximations against the exact profile are: the ray's
/// terrain instead of the straight line to the pixel centre (at most half a ray spacing aside),
/// the horizon points found for the sample's receiver, ν_max in line of sight (eq 16) taken over the
/// two horizon points, the point of largest clearance above the Tx→Rx ray (a support query on the
/// same hull) and the last kilometre before the receiver (ν weighs clearance by the Fresnel-zone
/// radius, which is smallest near the ends), and the correction, which varies slowly along a ray, evaluated every
/// kCorrectionStride samples and interpolated linearly. `tools/sweep_accuracy` measures the total
/// error against the exact per-pixel profile.

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "phusong/core/round.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/geo/grid.hpp"

namespace phusong::coverage {

/// One transmitter position: a site and antenna height, with every frequency its cells use.
struct SweepSource {
    double x_m = 0;             ///< easting, grid CRS
    double y_m = 0;             ///< northing, grid CRS
    double ground_m = 0;        ///< terrain height at the site, m amsl
    double height_agl_m = 0;    ///< antenna height above ground, m
    double radius_m = 0;        ///< calculation radius, m (the largest of radius_by_bin_m)
    /// Radius per 5° azimuth bin (bin b covers azimuths [5b°, 5b + 5°) clockwise from north), m;
    /// empty = radius_m everywhere. Rays stop at the largest radius of their bin and its neighbours.
    std::vector<float> radius_by_bin_m;
    std::vector<double> freqs_mhz;  ///< frequencies to sweep (see group_frequencies)
};

/// What the sweep takes from the scenario's [prediction]. Its defaults are PredictionConfig's (a
/// default SweepSettings is a default scenario's), and `of` copies a scenario's.
struct SweepSettings {
    double rx_height_m = default_prediction_config().receiver_height_m;  ///< m above ground
    double k_factor = default_prediction_config().k_factor;              ///< effective earth radius factor
    DiffractionMethod method = default_prediction_config().diffraction;
    /// Distance between neighbouring rays at the radius, pixels.
    double ray_spacing_px = default_prediction_config().ray_spacing_px;
    /// Where neighbouring rays are ray_spacing_px apart, m (nearer the site they are closer);
    /// not given: at the source's radius. The exact zone of a prediction with an extended zone
    /// sweeps to a shorter radius on the rays of the whole radius, so that its pixels get the
    /// losses an all-exact prediction gives them.
    std::optional<double> ray_radius_m;
    /// Distance between a ray's terrain samples, pixels (1: the DEM's own spacing). The
    /// extended zone, whose points are blocks apart, samples its rays more sparsely.
    int step_px = 1;

    /// The receiver height, earth radius factor, diffraction method and ray spacing of `config`.
    [[nodiscard]] static SweepSettings of(const PredictionConfig& config) {
        SweepSettings s;
        s.rx_height_m = config.receiver_height_m;
        s.k_factor = config.k_factor;
        s.method = config.diffraction;
        s.ray_spacing_px = config.ray_spacing_px;
        return s;
    }
};

/// Frequencies within 10% of each other share one sweep at their geometric mean (ν ∝ √f, so ν
/// moves by under 5%): returns the representative of each input frequency, sorted input order
/// preserved, and the distinct representatives in `distinct`.
std::vector<double> group_frequencies(std::span<const double> freqs_mhz, std::vector<double>& distinct);

class RadialSweep {
public:
    static constexpr int kCorrectionStride = 8;
    static constexpr std::size_t kMaxFrequencies = 8;  ///< frequency groups per source

    /// Sweeps every ray, with the horizon points of every sample. `dem_m` is the grid DEM (NaN =
    /// nodata: a ray stops there). The same as prepare(), want() at every sample, then sweep().
    void run(const SweepSource& source, const geo::Grid& grid, std::span<const float> dem_m,
             const SweepSettings& settings);

    /// The lazy form, for a caller that knows beforehand where it will ask: prepare() lays the
    /// rays out (ray_of, rays, and reaches up to each ray's radius), want() marks the samples
    /// that losses_db will be asked at, and sweep() samples every ray's terrain but finds the
    /// horizon points (two hull queries) at the marked samples only. Near the site the rays are
    /// much denser than the pixels, so most samples are never asked for; losses_db at an
    /// unmarked sample is undefined. The marked samples get the same losses as with run().
    void prepare(const SweepSource& source, const geo::Grid& grid, const SweepSettings& settings);
    /// Marks the sample losses_db(ray, distance_m, …) will read.
    void want(int ray, double distance_m) noexcept {
        const auto k = static_cast<std::size_t>(round_half_away(distance_m / m_step_m));
        m_wanted[static_cast<std::size_t>(ray) * m_wanted_words + k / 64] |= std::uint64_t{1} << (k % 64);
    }
    /// Ends each ray at its last wanted sample (after want(), before sweep()), or at the
    /// smooth-earth correction's next anchor beyond it, so that every wanted sample gets the
    /// losses it gets without: the samples beyond are never asked for. A caller whose pixels
    /// reach only part of the prepared radius saves sampling the rest of the terrain.
    void trim_to_wanted() noexcept;
    /// Samples every ray (after prepare() and want()); a ray that leaves the DEM or meets nodata
    /// ends there, and reaches() says so from then on. `visit(ray)` is called as soon as a ray
    /// is swept, while its horizon points are still in cache: the time to ask for its losses.
    template <typename Visit>
    void sweep(const geo::Grid& grid, std::span<const float> dem_m, Visit&& visit) {
        for (int ray = 0; ray < m_rays; ++ray) {
            sweep_ray(ray, grid, dem_m);
            visit(ray);
        }
    }
    void sweep(const geo::Grid& grid, std::span<const float> dem_m) {
        sweep(grid, dem_m, [](int) {});
    }

    [[nodiscard]] double step_m() const noexcept { return m_step_m; }
    /// Ray index for an azimuth in radians (atan2(dx, dy): clockwise from north), any number of
    /// turns either way; inline, and without a division for azimuths within one turn of north.
    [[nodiscard]] int ray_of(double azimuth_rad) const noexcept {
        long r = round_half_away(azimuth_rad * m_rays_per_rad);
        if (r < 0 || r >= m_rays) {
            r %= m_rays;
            if (r < 0) r += m_rays;
        }
        return static_cast<int>(r);
    }

    /// Whether ray `ray` has terrain out to `distance_m` (it ends at the DEM's edge or its radius).
    [[nodiscard]] bool reaches(int ray, double distance_m) const noexcept {
        return round_half_away(distance_m / m_step_m) <= m_ray_samples[static_cast<std::size_t>(ray)];
    }
    /// Terrain heights along ray `ray`, m amsl, every step_m() from the site (sample 0: the site's
    /// ground) to the ray's last sample.
    [[nodiscard]] std::span<const float> ray_heights(int ray) const noexcept {
        return {&m_heights[at(ray, 0)], static_cast<std::size_t>(m_ray_samples[static_cast<std::size_t>(ray)]) + 1};
    }
    [[nodiscard]] int rays() const noexcept { return m_rays; }
    [[nodiscard]] int samples() const noexcept { return m_samples; }

    /// Diffraction loss, dB, at a receiver `distance_m` from the site along ray `ray`, on ground
    /// `rx_ground_m` (m amsl), for every swept frequency (order of SweepSource::freqs_mhz) into
    /// `out`. Returns false (and leaves `out`) beyond the ray's end: off the DEM or its radius.
    bool losses_db(int ray, double distance_m, double rx_ground_m, std::span<float> out) const noexcept;
    /// losses_db for many receivers on ray `ray` at once (the prediction's inner loop: their
    /// geometry is computed in batches that vectorise): receiver i at `distance_m[i]` on ground
    /// `rx_ground_m[i]` gets its losses in out[i·F … i·F + F − 1] (F: the swept frequencies) and
    /// reached[i] = 1 where the ray reaches it, else 0 (and out is left alone).
    void ray_losses_db(int ray, std::span<const double> distance_m, std::span<const float> rx_ground_m,
                       std::span<float> out, std::span<std::uint8_t> reached) const noexcept;

private:
    struct HullPoint {
        double d_km;
        double y_m;
        int index;
    };
    /// What a sample keeps for the pixels around it (its height is in m_heights).
    struct SampleState {
        std::uint32_t tx;    ///< sample index of the Tx-side horizon point (eq 14), 0 = none
        std::uint32_t rx;    ///< sample index of the Rx-side horizon point (eq 18), 0 = none
        std::uint32_t top;   ///< sample index of the largest clearance above the Tx→Rx ray
    };
    void sweep_ray(int ray, const geo::Grid& grid, std::span<const float> dem_m);
    /// Largest clearance/√(d_i(d − d_i)) of eq (16) over the samples just before sample k.
    [[nodiscard]] float near_receiver_cmax(std::size_t base, long k, double d, double hts, double s_ray,
                                           double curvature) const noexcept;
    [[nodiscard]] std::size_t at(int ray, int sample) const noexcept {
        return static_cast<std::size_t>(ray) * static_cast<std::size_t>(m_samples + 1) +
               static_cast<std::size_t>(sample);
    }

    SweepSource m_source;
    SweepSettings m_settings;
    double m_ae_km = 0;
    double m_hts_m = 0;
    int m_rays = 0;
    double m_rays_per_rad = 0;            ///< m_rays / 2π
    int m_samples = 0;
    double m_step_m = 0;
    double m_step_km = 0;
    double m_curvature = 0;               ///< 500/ae: the earth's bulge at d km is curvature·d² m
    std::vector<int> m_ray_samples;       ///< last valid sample of each ray
    std::vector<SampleState> m_state;     ///< [ray][sample], written at the wanted samples only
    std::vector<std::uint64_t> m_wanted;  ///< [ray][sample / 64]: bit sample % 64 set = wanted
    std::size_t m_wanted_words = 0;       ///< words of m_wanted per ray
    std::vector<float> m_heights;         ///< [ray][sample]: terrain height, m amsl
    std::vector<double> m_ray_h;          ///< the ray being swept: its heights in double, m amsl
    std::vector<float> m_correction;      ///< [f][ray][sample], dB
    std::vector<HullPoint> m_curved_hull;  ///< the ray's upper hulls: buffers for every sample
    std::vector<HullPoint> m_flat_hull;
    std::vector<double> m_d_km;           ///< distance of each sample, km
    std::vector<double> m_inv_d_km;       ///< its inverse (sample 0: +inf, never read)
    std::vector<double> m_lambda_m;
    std::vector<double> m_inv_root_lambda;  ///< 1/√λ per frequency, 1/√m
};

/// Reference for the sweep: the same diffraction loss on the exact straight profile from the
/// source to (x_m, y_m), sampled at `step_m` with the same bilinear DEM, by the whole-profile
/// functions of radio/diffraction.hpp (exact ν_max, sampled smooth-path Bullington).
[[nodiscard]] double exact_profile_loss_db(const SweepSource& source, double x_m, double y_m,
                                           double freq_mhz, const geo::Grid& grid,
                                           std::span<const float> dem_m,
                                           const SweepSettings& settings, double step_m);

namespace detail {
/// Terrain heights along a ray, samples 1 … last, into h[1 …]: geo::sample_bilinear's rule (pixel
/// centres, edge pixels clamped, NaN off the grid or next to nodata) at column col0 + k·dcol and
/// row row0 + k·drow (fractional pixel coordinates, Grid::fcol/frow), the positions stepped rather
/// than divided out per sample, and floor by truncation (x > −1 on the grid). Returns the last
/// sample with a height: the ray ends before the first without one. `avx2`: with the AVX2 kernel
/// (radio::cpu_has_avx2(); the same numbers bit for bit, tests/coverage/test_sweep.cpp).
int sample_ray(const geo::Grid& grid, std::span<const float> dem_m, double col0, double row0, double dcol,
               double drow, int last, double* h, bool avx2) noexcept;
}  // namespace detail

}  // namespace phusong::coverage
