#include "phusong/coverage/sweep.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <cmath>
#include <limits>
#include <numbers>

#include "phusong/radio/diffraction.hpp"
#include "phusong/radio/multiversion.hpp"

#if PHUSONG_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace phusong::coverage {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// ν (eq 16) weighs clearance by 1/√(d_i(d − d_i)): the terrain next to the receiver counts most,
// so the last samples before it (about 1 km at 30 m) are candidates for ν_max as well. Measured
// with tools/sweep_accuracy on the demo: 4 → p95 |Δ| 3.0 dB, 12 → 2.1 dB, 32 → 1.6 dB.
constexpr long kNearReceiver = 32;  // a power of two (near_receiver_cmax)
// Mobile networks use slant (±45°) polarised antennas; vertical is the closer of P.452's two.
constexpr radio::Polarisation kPolarisation = radio::Polarisation::vertical;

/// Whether b leaves the upper hull when p follows it: b lies on or below the segment a → p.
template <typename Point>
[[gnu::always_inline]] inline bool leaves(const Point& a, const Point& b, const Point& p) {
    return !((b.d_km - a.d_km) * (p.y_m - a.y_m) - (b.y_m - a.y_m) * (p.d_km - a.d_km) < 0);
}

/// Andrew's monotone chain: adds p (beyond every vertex) to the upper hull h[0 … n − 1], whose
/// buffer has room for it. The first two tests are made together, without a branch between
/// them: most points pop none, one or two vertices, and a mispredicted loop exit per sample cost
/// more than the second test. The same vertices as popping one at a time.
template <typename Point>
[[gnu::always_inline]] inline void push_upper_hull(Point* h, std::size_t& n, const Point& p) {
    if (n >= 3) {
        const bool first = leaves(h[n - 2], h[n - 1], p);
        const bool second = leaves(h[n - 3], h[n - 2], p);
        n -= static_cast<std::size_t>(first) + static_cast<std::size_t>(first & second);
        if (!(first & second)) {
            h[n++] = p;
            return;
        }
    }
    while (n >= 2 && leaves(h[n - 2], h[n - 1], p)) --n;
    h[n++] = p;
}

/// The first i in [0, n − 1) where `rises(i)` is false, or n − 1: the top of a sequence that
/// rises then falls, rises(i) meaning "element i + 1 is at least element i". A binary search
/// whose steps are conditional moves, not branches (the hull queries of a ray go either way
/// at random: a mispredicted branch per step costs more than the step).
template <typename Rises>
std::size_t top_of(std::size_t n, Rises&& rises) {
    // The top is in [base, base + len − 1], whose end stays n − 1; each step probes below the end.
    std::size_t base = 0;
    std::size_t len = n;
    while (len > 1) {
        const std::size_t half = len / 2;
        base = rises(base + half - 1) ? base + half : base;
        len -= half;
    }
    return base;
}

/// Vertex of an upper hull h[0 … n − 1] maximising (y − qy)/(qx − x), for qx beyond every
/// vertex: the tangent from (qx, qy). Unimodal along a concave chain.
template <typename Point>
const Point& tangent_from_right(const Point* h, std::size_t n, double qx, double qy) {
    return h[top_of(n, [&](std::size_t i) {
        return (h[i + 1].y_m - qy) * (qx - h[i].d_km) >= (h[i].y_m - qy) * (qx - h[i + 1].d_km);
    })];
}

/// Vertex of an upper hull h[0 … n − 1] maximising y − s·x (the support point for slope s).
template <typename Point>
const Point& support(const Point* h, std::size_t n, double s) {
    return h[top_of(n, [&](std::size_t i) {
        return h[i + 1].y_m - h[i].y_m >= s * (h[i + 1].d_km - h[i].d_km);
    })];
}

#if PHUSONG_HAVE_AVX2_KERNELS
/// detail::sample_ray four samples at a time, each lane with the scalar loop's operations in its
/// order (double arithmetic on the float DEM values, the four corners gathered). Stops before
/// the first group of four with a sample off the grid or without a height, leaving that group
/// to the scalar loop, which finds where the ray ends. Returns the first sample not written.
PHUSONG_AVX2_TARGET
int sample_ray_avx2(const geo::Grid& grid, const float* dem, double col0, double row0, double dcol, double drow,
                    int last, double* h) {
    const __m256d c0v = _mm256_set1_pd(col0);
    const __m256d r0v = _mm256_set1_pd(row0);
    const __m256d dc = _mm256_set1_pd(dcol);
    const __m256d dr = _mm256_set1_pd(drow);
    const __m256d zero = _mm256_setzero_pd();
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d half = _mm256_set1_pd(0.5);
    const __m256d cols = _mm256_set1_pd(grid.cols);
    const __m256d rows = _mm256_set1_pd(grid.rows);
    const __m256d inf = _mm256_set1_pd(std::numeric_limits<double>::infinity());
    const __m128i izero = _mm_setzero_si128();
    const __m128i ione = _mm_set1_epi32(1);
    const __m128i last_col = _mm_set1_epi32(grid.cols - 1);
    const __m128i last_row = _mm_set1_epi32(grid.rows - 1);
    const __m128i stride = _mm_set1_epi32(grid.cols);
    const __m128i lanes = _mm_setr_epi32(0, 1, 2, 3);
    // Masked gathers with every lane on (the unmasked form's pass-through is undefined).
    const __m128 fzero = _mm_setzero_ps();
    const __m128 all = _mm_castsi128_ps(_mm_set1_epi32(-1));
    int k = 1;
    for (; k + 3 <= last; k += 4) {
        const __m256d kd = _mm256_cvtepi32_pd(_mm_add_epi32(_mm_set1_epi32(k), lanes));
        const __m256d fc = _mm256_add_pd(c0v, _mm256_mul_pd(kd, dc));
        const __m256d fr = _mm256_add_pd(r0v, _mm256_mul_pd(kd, dr));
        const __m256d on_grid = _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(fc, zero, _CMP_GE_OQ), _mm256_cmp_pd(fr, zero, _CMP_GE_OQ)),
            _mm256_and_pd(_mm256_cmp_pd(fc, cols, _CMP_LE_OQ), _mm256_cmp_pd(fr, rows, _CMP_LE_OQ)));
        if (_mm256_movemask_pd(on_grid) != 0xF) break;
        const __m256d x = _mm256_sub_pd(fc, half);
        const __m256d y = _mm256_sub_pd(fr, half);
        const __m128i c = _mm_sub_epi32(_mm256_cvttpd_epi32(_mm256_add_pd(x, one)), ione);
        const __m128i r = _mm_sub_epi32(_mm256_cvttpd_epi32(_mm256_add_pd(y, one)), ione);
        const __m256d fx = _mm256_sub_pd(x, _mm256_cvtepi32_pd(c));
        const __m256d fy = _mm256_sub_pd(y, _mm256_cvtepi32_pd(r));
        const __m128i ca = _mm_max_epi32(c, izero);
        const __m128i cb = _mm_min_epi32(_mm_add_epi32(c, ione), last_col);
        const __m128i ra = _mm_mullo_epi32(_mm_max_epi32(r, izero), stride);
        const __m128i rb = _mm_mullo_epi32(_mm_min_epi32(_mm_add_epi32(r, ione), last_row), stride);
        const __m256d aa = _mm256_cvtps_pd(_mm_mask_i32gather_ps(fzero, dem, _mm_add_epi32(ra, ca), all, 4));
        const __m256d ab = _mm256_cvtps_pd(_mm_mask_i32gather_ps(fzero, dem, _mm_add_epi32(ra, cb), all, 4));
        const __m256d ba = _mm256_cvtps_pd(_mm_mask_i32gather_ps(fzero, dem, _mm_add_epi32(rb, ca), all, 4));
        const __m256d bb = _mm256_cvtps_pd(_mm_mask_i32gather_ps(fzero, dem, _mm_add_epi32(rb, cb), all, 4));
        const __m256d gx = _mm256_sub_pd(one, fx);
        const __m256d top = _mm256_add_pd(_mm256_mul_pd(gx, aa), _mm256_mul_pd(fx, ab));
        const __m256d bottom = _mm256_add_pd(_mm256_mul_pd(gx, ba), _mm256_mul_pd(fx, bb));
        const __m256d v = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(one, fy), top), _mm256_mul_pd(fy, bottom));
        // Finite: |v| < ∞ is false for NaN and ±∞.
        const __m256d magnitude = _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
        if (_mm256_movemask_pd(_mm256_cmp_pd(magnitude, inf, _CMP_LT_OQ)) != 0xF) break;
        _mm256_storeu_pd(h + k, v);
    }
    return k;
}
#endif

}  // namespace

namespace detail {

int sample_ray(const geo::Grid& grid, std::span<const float> dem_m, double col0, double row0, double dcol,
               double drow, int last, double* h, bool avx2) noexcept {
    const double cols = grid.cols;
    const double rows = grid.rows;
    const std::size_t stride = static_cast<std::size_t>(grid.cols);
    const float* dem = dem_m.data();
    int k = 1;
#if PHUSONG_HAVE_AVX2_KERNELS
    // The kernel's pixel offsets are 32-bit.
    if (avx2 && grid.pixel_count() <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
        k = sample_ray_avx2(grid, dem, col0, row0, dcol, drow, last, h);
    }
#else
    (void)avx2;
#endif
    for (; k <= last; ++k) {
        const double fc = col0 + k * dcol;
        const double fr = row0 + k * drow;
        if (!(fc >= 0 && fr >= 0 && fc <= cols && fr <= rows)) return k - 1;
        const double x = fc - 0.5;
        const double y = fr - 0.5;
        const int c0 = static_cast<int>(x + 1.0) - 1;
        const int r0 = static_cast<int>(y + 1.0) - 1;
        const double fx = x - c0;
        const double fy = y - r0;
        const auto ca = static_cast<std::size_t>(std::max(c0, 0));
        const auto cb = static_cast<std::size_t>(std::min(c0 + 1, grid.cols - 1));
        const float* ra = dem + static_cast<std::size_t>(std::max(r0, 0)) * stride;
        const float* rb = dem + static_cast<std::size_t>(std::min(r0 + 1, grid.rows - 1)) * stride;
        const double v = (1 - fy) * ((1 - fx) * ra[ca] + fx * ra[cb]) + fy * ((1 - fx) * rb[ca] + fx * rb[cb]);
        if (!std::isfinite(v)) return k - 1;
        h[k] = v;
    }
    return last;
}

}  // namespace detail

std::vector<double> group_frequencies(std::span<const double> freqs_mhz, std::vector<double>& distinct) {
    std::vector<double> sorted(freqs_mhz.begin(), freqs_mhz.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<std::pair<double, double>> rep;  // (input frequency, representative)
    distinct.clear();
    std::size_t start = 0;
    for (std::size_t i = 1; i <= sorted.size(); ++i) {
        if (i == sorted.size() || sorted[i] > sorted[start] * 1.10) {
            double log_sum = 0;
            for (std::size_t j = start; j < i; ++j) log_sum += std::log(sorted[j]);
            const double g = i - start == 1 ? sorted[start] : std::exp(log_sum / static_cast<double>(i - start));
            for (std::size_t j = start; j < i; ++j) rep.emplace_back(sorted[j], g);
            distinct.push_back(g);
            start = i;
        }
    }
    std::vector<double> out;
    out.reserve(freqs_mhz.size());
    for (double f : freqs_mhz) {
        out.push_back(std::lower_bound(rep.begin(), rep.end(), std::make_pair(f, 0.0))->second);
    }
    return out;
}

void RadialSweep::run(const SweepSource& source, const geo::Grid& grid, std::span<const float> dem_m,
                      const SweepSettings& settings) {
    prepare(source, grid, settings);
    std::fill(m_wanted.begin(), m_wanted.end(), ~std::uint64_t{0});
    sweep(grid, dem_m);
}

void RadialSweep::prepare(const SweepSource& source, const geo::Grid& grid, const SweepSettings& settings) {
    if (source.freqs_mhz.size() > kMaxFrequencies) {
        throw std::invalid_argument("RadialSweep: more than 8 frequency groups on one source");
    }
    m_source = source;
    m_settings = settings;
    m_ae_km = radio::effective_earth_radius_km(settings.k_factor);
    m_hts_m = source.ground_m + source.height_agl_m;
    m_step_m = grid.resolution_m * std::max(1, settings.step_px);
    m_step_km = m_step_m / 1000.0;
    m_curvature = 500.0 / m_ae_km;
    m_samples = std::max(1, static_cast<int>(std::ceil(source.radius_m / m_step_m)) + 1);
    const double spacing_m = settings.ray_spacing_px * grid.resolution_m;
    const double ray_radius_m = settings.ray_radius_m.value_or(source.radius_m);
    m_rays = std::max(72, static_cast<int>(std::ceil(2.0 * std::numbers::pi * ray_radius_m / spacing_m)));
    m_rays_per_rad = m_rays / (2.0 * std::numbers::pi);
    // No fill: every ray writes its samples 0 … m_ray_samples[ray], and nothing reads further.
    m_state.resize(static_cast<std::size_t>(m_rays) * static_cast<std::size_t>(m_samples + 1));
    m_heights.resize(m_state.size());
    // Delta-Bullington's smooth-earth correction; plain Bullington has none (no memory, no reads).
    m_correction.resize(settings.method == DiffractionMethod::delta_bullington ? source.freqs_mhz.size() * m_state.size()
                                                                               : 0);
    m_ray_samples.assign(static_cast<std::size_t>(m_rays), 0);
    m_ray_h.resize(static_cast<std::size_t>(m_samples) + 1);
    m_curved_hull.resize(static_cast<std::size_t>(m_samples) + 1);
    m_flat_hull.resize(static_cast<std::size_t>(m_samples) + 1);
    m_d_km.resize(static_cast<std::size_t>(m_samples) + 1);
    m_inv_d_km.resize(m_d_km.size());
    for (std::size_t k = 0; k < m_d_km.size(); ++k) {
        m_d_km[k] = static_cast<double>(k) * m_step_m / 1000.0;
        m_inv_d_km[k] = 1.0 / m_d_km[k];
    }
    m_wanted_words = static_cast<std::size_t>(m_samples) / 64 + 1;
    m_wanted.assign(static_cast<std::size_t>(m_rays) * m_wanted_words, 0);
    m_lambda_m.clear();
    m_inv_root_lambda.clear();
    for (double f : source.freqs_mhz) {
        m_lambda_m.push_back(radio::wavelength_m(f / 1000.0));
        m_inv_root_lambda.push_back(1.0 / std::sqrt(m_lambda_m.back()));
    }
    const int bins = static_cast<int>(source.radius_by_bin_m.size());
    for (int ray = 0; ray < m_rays; ++ray) {
        int samples = m_samples;
        if (bins > 0) {
            const int b = static_cast<int>(static_cast<long>(ray) * bins / m_rays) % bins;
            const double r = std::max({source.radius_by_bin_m[static_cast<std::size_t>(b)],
                                       source.radius_by_bin_m[static_cast<std::size_t>((b + 1) % bins)],
                                       source.radius_by_bin_m[static_cast<std::size_t>((b + bins - 1) % bins)]});
            samples = std::min(m_samples, static_cast<int>(std::ceil(r / m_step_m)) + 1);
        }
        m_ray_samples[static_cast<std::size_t>(ray)] = samples;
    }
}

void RadialSweep::trim_to_wanted() noexcept {
    for (int ray = 0; ray < m_rays; ++ray) {
        const std::uint64_t* wanted = &m_wanted[static_cast<std::size_t>(ray) * m_wanted_words];
        std::size_t word = m_wanted_words;
        while (word > 0 && wanted[word - 1] == 0) --word;
        int last = 0;
        if (word > 0) {
            last = static_cast<int>((word - 1) * 64 + 63 - static_cast<std::size_t>(std::countl_zero(wanted[word - 1])));
        }
        // sweep_ray's correction anchors are samples 2, 2 + kCorrectionStride, … and the ray's last:
        // ending the ray at one of the regular ones leaves every sample before it as it was.
        if (last > 2) last = 2 + (last - 2 + kCorrectionStride - 1) / kCorrectionStride * kCorrectionStride;
        int& samples = m_ray_samples[static_cast<std::size_t>(ray)];
        samples = std::min(samples, last);
    }
}

void RadialSweep::sweep_ray(int ray, const geo::Grid& grid, std::span<const float> dem_m) {
    const double theta = 2.0 * std::numbers::pi * ray / m_rays;
    const double east = std::sin(theta);
    const double north = std::cos(theta);
    const double ae = m_ae_km;
    const double hts = m_hts_m;
    const std::size_t nf = m_source.freqs_mhz.size();
    const std::size_t f_stride = m_state.size();
    const bool delta = m_settings.method == DiffractionMethod::delta_bullington;
    // Without diffraction only the heights are kept (losses_db reads no horizon then).
    const bool horizons = m_settings.method != DiffractionMethod::none;
    float* corr_out = delta ? &m_correction[at(ray, 0)] : nullptr;
    SampleState* state = &m_state[at(ray, 0)];
    const std::uint64_t* wanted = &m_wanted[static_cast<std::size_t>(ray) * m_wanted_words];
    int last = m_ray_samples[static_cast<std::size_t>(ray)];

    double max_tx_curved = kNegInf;  // max_i (g_i − hts)/d_i, g_i curvature-corrected
    std::uint32_t argmax_tx = 0;
    // Delta-Bullington's smooth-earth terms only: the flat-earth maximum and hull, the sums.
    double max_tx_flat = kNegInf;    // max_i (h_i − hts)/d_i
    HullPoint* curved = m_curved_hull.data();  // room for every sample (prepare)
    HullPoint* flat = m_flat_hull.data();
    std::size_t curved_n = 0;
    std::size_t flat_n = 0;
    radio::SmoothEarthSums sums;
    double prev_d = 0.0;
    double prev_h = m_source.ground_m;
    state[0] = {0, 0, 0};
    float* heights = &m_heights[at(ray, 0)];
    heights[0] = static_cast<float>(m_source.ground_m);
    if (delta) {
        for (std::size_t f = 0; f < nf; ++f) corr_out[f * f_stride] = 0.0f;
    }
    // The previous smooth-earth correction anchor: its sample and value per frequency.
    int anchor = -1;
    std::array<double, kMaxFrequencies> anchor_corr{};
    std::array<double, kMaxFrequencies> corr{};

    // The terrain first (the ray ends where it leaves the DEM or meets nodata), then the horizons.
    last = detail::sample_ray(grid, dem_m, grid.fcol(m_source.x_m), grid.frow(m_source.y_m),
                              m_step_m * east / grid.resolution_m, -m_step_m * north / grid.resolution_m, last,
                              m_ray_h.data(), radio::cpu_has_avx2());
    const double curvature = m_curvature;  // the earth's bulge: 500·d²/ae m at d km
    for (int k = 1; k <= last; ++k) {
        const double h = m_ray_h[static_cast<std::size_t>(k)];
        const double d = m_d_km[static_cast<std::size_t>(k)];
        const double inv_d = m_inv_d_km[static_cast<std::size_t>(k)];
        if (delta) {
            sums.add_segment(prev_d, prev_h, d, h);
            prev_d = d;
            prev_h = h;
        }
        const double hrs = h + m_settings.rx_height_m;
        heights[k] = static_cast<float>(h);
        if (delta) {
            for (std::size_t f = 0; f < nf; ++f) corr_out[f * f_stride + static_cast<std::size_t>(k)] = 0.0f;
        }

        if (!horizons) continue;
        if (k >= 2) {  // at least one interior point: the horizon points for this receiver
            if ((wanted[k / 64] >> (k % 64)) & 1U) {
                const double gr = hrs - curvature * d * d;
                state[k].tx = argmax_tx;
                state[k].rx = static_cast<std::uint32_t>(tangent_from_right(curved, curved_n, d, gr).index);
                // Clearance of point i above the ray, eq (16)'s bracket: g_i − hts − s·d_i with
                // s = (hrs − hts)/d − 500·d/ae, largest at the hull's support point for slope s.
                const double s_ray = (hrs - hts) * inv_d - curvature * d;
                state[k].top = static_cast<std::uint32_t>(support(curved, curved_n, s_ray).index);
            }
            // Smooth-earth correction of eq (40) at anchors, interpolated linearly in between.
            if (delta && (anchor < 0 || k - anchor >= kCorrectionStride || k == last)) {
                // Smooth-earth heights, eqs (161)–(167), with the obstruction terms of eq (165).
                const double str = (hrs - hts) / d;
                const HullPoint& sp = support(flat, flat_n, str);
                const HullPoint& fr = tangent_from_right(flat, flat_n, d, hrs);
                const radio::ObstructionTerms obs{sp.y_m - str * sp.d_km - hts, max_tx_flat - str,
                                                  (fr.y_m - hrs) / (d - fr.d_km) + str};
                const radio::SmoothEarth se = radio::smooth_earth_from_terms(
                    sums.hst_m(d), sums.hsr_m(d), obs, m_source.ground_m, h, hts, hrs);
                for (std::size_t f = 0; f < nf; ++f) {
                    const double lbulls = radio::smooth_path_bullington_loss_db(d, se.hte_m, se.hre_m, m_lambda_m[f], ae);
                    const double ldsph = radio::spherical_earth_diffraction_db(
                        d, se.hte_m, se.hre_m, ae, m_source.freqs_mhz[f] / 1000.0, kPolarisation);
                    corr[f] = radio::delta_bullington_combine_db(0.0, lbulls, ldsph);
                    const double before = anchor < 0 ? corr[f] : anchor_corr[f];
                    const int from = anchor < 0 ? k : anchor + 1;
                    for (int j = from; j <= k; ++j) {
                        const double t = anchor < 0 ? 1.0 : static_cast<double>(j - anchor) / (k - anchor);
                        corr_out[f * f_stride + static_cast<std::size_t>(j)] =
                            static_cast<float>(before + t * (corr[f] - before));
                    }
                }
                anchor = k;
                anchor_corr = corr;
            }
        }
        // Sample k becomes an interior point for the samples beyond it.
        const double g = h - curvature * d * d;
        const double slope = (g - hts) * inv_d;
        if (slope > max_tx_curved) {
            max_tx_curved = slope;
            argmax_tx = static_cast<std::uint32_t>(k);
        }
        push_upper_hull(curved, curved_n, HullPoint{d, g, k});
        if (delta) {
            max_tx_flat = std::max(max_tx_flat, (h - hts) / d);
            push_upper_hull(flat, flat_n, HullPoint{d, h, k});
        }
    }
    // A ray cut short by the DEM edge: hold the last correction after the last anchor.
    if (delta && anchor >= 2 && anchor < last) {
        for (std::size_t f = 0; f < nf; ++f) {
            for (int j = anchor + 1; j <= last; ++j) {
                corr_out[f * f_stride + static_cast<std::size_t>(j)] = static_cast<float>(anchor_corr[f]);
            }
        }
    }
    m_ray_samples[static_cast<std::size_t>(ray)] = std::max(last, 0);
}

// Compiled for AVX-512 (16 lanes), AVX2 (8) and any x86-64 (4); no FMA in any: the same numbers.
PHUSONG_AVX2_CLONES
float RadialSweep::near_receiver_cmax(std::size_t base, long k, double d, double hts, double s_ray,
                                       double curvature) const noexcept {
    // Single precision, fixed length and branch-free, so that the compiler vectorises it (4 or
    // 8 lanes): clearances are metres above hundreds of metres (float: ~1e-4 m), ν to ~1e-6.
    constexpr std::size_t kN = kNearReceiver;
    const long i0 = k - static_cast<long>(kN);
    const float* h = &m_heights[base];
    const auto step_km = static_cast<float>(m_step_m / 1000.0);
    const auto fd = static_cast<float>(d);
    const auto fhts = static_cast<float>(hts);
    const auto fs = static_cast<float>(s_ray);
    const auto fcurv = static_cast<float>(curvature);
    alignas(32) std::array<float, kN> c;
    if (i0 >= 1) {
        // 32-bit sample indices: SSE2 converts packed int32 to float, not int64 (the same values:
        // a ray has far fewer than 2^24 samples).
        const auto first = static_cast<std::int32_t>(i0);
        const float* hi = h + i0;
        for (std::int32_t j = 0; j < static_cast<std::int32_t>(kN); ++j) {
            const float di = static_cast<float>(first + j) * step_km;
            const float s2 = di * (fd - di);
            c[static_cast<std::size_t>(j)] = (hi[j] + fcurv * s2 - fhts - fs * di) / std::sqrt(s2);
        }
    } else {  // fewer than kN samples before the receiver
        c.fill(-std::numeric_limits<float>::infinity());
        for (long i = 1; i < k; ++i) {
            const float di = static_cast<float>(i) * step_km;
            const float s2 = di * (fd - di);
            c[static_cast<std::size_t>(i - 1)] = (h[i] + fcurv * s2 - fhts - fs * di) / std::sqrt(s2);
        }
    }
    for (std::size_t w = kN / 2; w > 0; w /= 2) {  // pairwise maximum: element-wise, vectorised
        for (std::size_t j = 0; j < w; ++j) c[j] = std::max(c[j], c[j + w]);
    }
    return c[0];
}

namespace {

/// The Bullington geometry of a batch of receivers on one ray (RadialSweep::ray_losses_db), one
/// array per quantity: in, each receiver's distance d (km), height hrs (m amsl) and its sample's
/// three horizon points (distance km, height m: Tx side, Rx side, largest clearance); out, whether
/// it is in line of sight (eq 17), c of bullington_nu_per_root with ν_max's candidates limited to
/// the three points, and √(0.002·d). Arithmetic only, no branch: it vectorises (8 lanes of double
/// with AVX-512, 4 with AVX2, 2 otherwise), each value that of the scalar formulas.
struct BullingtonBatch {
    static constexpr std::size_t kSize = 64;
    std::array<double, kSize> d, hrs, dt, ht, dr, hr, dc, hc;  // in
    std::array<double, kSize> c, root_d, str;                   // out
    std::array<std::uint8_t, kSize> los;                        // out
};

PHUSONG_AVX2_CLONES
void bullington_batch(BullingtonBatch& b, std::size_t n, double hts, double curvature) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const double d = b.d[i];
        const double hrs = b.hrs[i];
        // Eqs (14), (15), (18), with the earth's bulge 500·x²/ae as curvature·x².
        const double stim = (b.ht[i] - curvature * b.dt[i] * b.dt[i] - hts) / b.dt[i] + curvature * d;
        const double gr = hrs - curvature * d * d;
        const double srim = (b.hr[i] - curvature * b.dr[i] * b.dr[i] - gr) / (d - b.dr[i]) - curvature * d;
        const double str = (hrs - hts) * (1.0 / d);
        // Eq (16)'s bracket over the horizon points: the clearance of point i above the Tx→Rx ray,
        // the ray at hts + str·d_i less the earth's bulge 500·d_i(d − d_i)/ae, over √(d_i(d − d_i)).
        auto c_at = [&](double di, double hi) {
            const double s2 = di * (d - di);
            return (hi + curvature * s2 - hts - str * di) / std::sqrt(s2);
        };
        const double c3 = std::max(std::max(c_at(b.dt[i], b.ht[i]), c_at(b.dr[i], b.hr[i])), c_at(b.dc[i], b.hc[i]));
        b.c[i] = radio::bullington_nu_per_root(stim, srim, str, c3, d, hts, hrs);
        b.los[i] = stim < str ? 1 : 0;
        b.str[i] = str;
        b.root_d[i] = std::sqrt(0.002 * d);
    }
}

}  // namespace

bool RadialSweep::losses_db(int ray, double distance_m, double rx_ground_m, std::span<float> out) const noexcept {
    const float ground = static_cast<float>(rx_ground_m);
    std::uint8_t reached = 0;
    ray_losses_db(ray, std::span(&distance_m, 1), std::span(&ground, 1), out, std::span(&reached, 1));
    return reached != 0;
}

void RadialSweep::ray_losses_db(int ray, std::span<const double> distance_m, std::span<const float> rx_ground_m,
                                std::span<float> out, std::span<std::uint8_t> reached) const noexcept {
    const std::size_t nf = m_source.freqs_mhz.size();
    const double hts = m_hts_m;
    const std::size_t base = at(ray, 0);
    const int last = m_ray_samples[static_cast<std::size_t>(ray)];
    const bool diffraction = m_settings.method != DiffractionMethod::none;
    const radio::BullingtonTable& table = radio::BullingtonTable::instance();
    const std::size_t f_stride = m_state.size();
    BullingtonBatch b;
    std::array<long, BullingtonBatch::kSize> sample;
    std::array<std::uint8_t, BullingtonBatch::kSize> terms;  // 0: no terrain term (free)
    for (std::size_t first = 0; first < distance_m.size(); first += BullingtonBatch::kSize) {
        const std::size_t n = std::min(BullingtonBatch::kSize, distance_m.size() - first);
        // The receivers' samples and their horizon points, eqs (14), (18); a receiver without
        // terms (next to the site, or no diffraction) gets a harmless stand-in geometry.
        for (std::size_t i = 0; i < n; ++i) {
            const double dist = distance_m[first + i];
            const long k = round_half_away(dist / m_step_m);
            sample[i] = k;
            reached[first + i] = k <= last ? 1 : 0;
            const SampleState* st = k <= last && k >= 2 ? &m_state[base + static_cast<std::size_t>(k)] : nullptr;
            terms[i] = diffraction && st != nullptr && st->rx != 0 ? 1 : 0;
            const std::uint32_t tx = terms[i] ? st->tx : 1;
            const std::uint32_t rx = terms[i] ? st->rx : 1;
            const std::uint32_t top = terms[i] ? st->top : 1;
            b.d[i] = terms[i] ? dist * 1e-3 : 2.0 * m_step_km;
            b.hrs[i] = rx_ground_m[first + i] + m_settings.rx_height_m;
            b.dt[i] = tx * m_step_km;
            b.ht[i] = m_heights[base + tx];
            b.dr[i] = rx * m_step_km;
            b.hr[i] = m_heights[base + rx];
            b.dc[i] = top * m_step_km;
            b.hc[i] = m_heights[base + top];
        }
        bullington_batch(b, n, hts, m_curvature);
        for (std::size_t i = 0; i < n; ++i) {
            if (!reached[first + i]) continue;
            float* o = &out[(first + i) * nf];
            if (!terms[i]) {
                std::fill(o, o + nf, 0.0f);
                continue;
            }
            double c = b.c[i];
            // Line of sight: ν_max of eq (16) over the horizon points and the last samples before
            // the receiver (ν weighs clearance by the Fresnel-zone radius, smallest at the ends).
            // ν_i = c_i·√(0.002·d/λ): the largest c_i serves every frequency.
            if (b.los[i]) {
                c = std::max(c, static_cast<double>(near_receiver_cmax(base, sample[i], b.d[i], hts, b.str[i], m_curvature)));
            }
            const double c_root_d = c * b.root_d[i];
            for (std::size_t f = 0; f < nf; ++f) {
                const double lbulla = table.total_db(c_root_d * m_inv_root_lambda[f], b.d[i]);
                const double correction =
                    m_correction.empty() ? 0.0 : m_correction[f * f_stride + base + static_cast<std::size_t>(sample[i])];
                o[f] = static_cast<float>(lbulla + correction);
            }
        }
    }
}

double exact_profile_loss_db(const SweepSource& source, double x_m, double y_m, double freq_mhz,
                             const geo::Grid& grid, std::span<const float> dem_m,
                             const SweepSettings& settings, double step_m) {
    const double dist = std::hypot(x_m - source.x_m, y_m - source.y_m);
    const int n = std::max(1, static_cast<int>(std::lround(dist / step_m)));
    std::vector<double> d_km(static_cast<std::size_t>(n) + 1);
    std::vector<double> h_m(static_cast<std::size_t>(n) + 1);
    for (int i = 0; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        d_km[i] = dist * t / 1000.0;
        h_m[i] = i == 0 ? source.ground_m
                        : geo::sample_bilinear(grid, dem_m, grid.fcol(source.x_m + t * (x_m - source.x_m)),
                                               grid.frow(source.y_m + t * (y_m - source.y_m)));
        if (!std::isfinite(h_m[i])) return std::numeric_limits<double>::quiet_NaN();
    }
    if (n < 2 || settings.method == DiffractionMethod::none) return 0.0;
    const radio::ProfileView p{d_km, h_m};
    const double hts = source.ground_m + source.height_agl_m;
    const double hrs = h_m.back() + settings.rx_height_m;
    const double ae = radio::effective_earth_radius_km(settings.k_factor);
    if (settings.method == DiffractionMethod::bullington) {
        return radio::bullington_loss_db(p, hts, hrs, freq_mhz / 1000.0, ae);
    }
    const radio::SmoothEarth se = radio::smooth_earth(p, hts, hrs);
    return radio::delta_bullington(p, hts, hrs, se, freq_mhz / 1000.0, ae, kPolarisation).ld_db;
}

}  // namespace phusong::coverage
