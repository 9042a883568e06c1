// The evaluator (evaluator.hpp): sweep, path loss per pixel shared by a source's cells, and
// each cell's signal, with the SIMD kernels of the cell loop.
#include "evaluator.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "phusong/core/round.hpp"
#include "phusong/radio/angles.hpp"
#include "phusong/radio/multiversion.hpp"

#if PHUSONG_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace phusong::coverage::detail {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();
constexpr double kRadToDeg = 180.0 / std::numbers::pi;
// The extended zone's rays sample the terrain every 2 pixels: its points are a block (4 pixels
// by default) apart. Measured on every 10th demo site against every pixel (tools/zones_compare
// against the all-exact run): the same output-level agreement, 3 % less prediction CPU.
constexpr int kExtendedStepPx = 2;


/// The geometry of n pixel centres of one row of `g`, from column col0, seen from a source at
/// easting `x_m`, the row's centre `dy_m` north of it: squared distance (m²), azimuth (degrees,
/// −180…180, clockwise from north: radio::fast_atan2_deg(dx, dy)) and distance (m). Arithmetic
/// only, no branch: the loop vectorises (AVX-512 and AVX2 clones), each value that of one pixel
/// at a time.
PHUSONG_AVX2_CLONES
void row_geometry(const geo::Grid& g, int col0, int n, double x_m, double dy_m, double* d2, double* azimuth_deg,
                  double* distance_m) noexcept {
    const double origin = g.origin_x_m;
    const double res = g.resolution_m;
    for (int i = 0; i < n; ++i) {
        const double dx = origin + (col0 + i + 0.5) * res - x_m;  // Grid::col_center_x − x_m
        d2[i] = dx * dx + dy_m * dy_m;
        azimuth_deg[i] = radio::fast_atan2_deg(dx, dy_m);
        distance_m[i] = std::sqrt(d2[i]);
    }
}

/// The window of `g` that holds every point within `radius_m` of the source.
geo::Window zone_window(const Source& src, const geo::Grid& g, double radius_m) {
    const auto c0 = static_cast<int>(std::floor(g.fcol(src.sweep.x_m - radius_m)));
    const auto c1 = static_cast<int>(std::ceil(g.fcol(src.sweep.x_m + radius_m)));
    const auto r0 = static_cast<int>(std::floor(g.frow(src.sweep.y_m + radius_m)));
    const auto r1 = static_cast<int>(std::ceil(g.frow(src.sweep.y_m - radius_m)));
    return geo::Window{c0, r0, c1 - c0, r1 - r0}.intersect(g.full());
}

/// Index of (col, row) in a window's row-major array.
std::size_t offset_in(const geo::Window& w, int col, int row) noexcept {
    return static_cast<std::size_t>(row - w.row0) * static_cast<std::size_t>(w.cols) +
           static_cast<std::size_t>(col - w.col0);
}

#if PHUSONG_HAVE_AVX2_KERNELS
/// The cell loop of evaluate_zone for 16 consecutive pixels of a window row (AVX-512): on each
/// lane the same operations in the same order as the scalar loop there, and
/// GainTable::gain_dbi_within_turn's (no FMA: the build's -ffp-contract=off). Returns the lanes
/// the scalar loop evaluates (those whose byte of `zone` is not 0, every lane without `zone`,
/// with a distance, within the cell's reach in its 5° bin, a finite loss); `emit` gets those at or above the cell's floor and `signal` every evaluated
/// lane's signal, dBm. Gathers read only evaluated lanes (the others' azimuths need not be valid).
PHUSONG_AVX512_TARGET
std::uint32_t cell_signals_avx512(const double* dist, const float* az, const float* dep, const float* loss,
                                  const std::uint8_t* zone, const CellPlan& cell, float* signal,
                                  std::uint32_t& emit) {
    // Masked forms with every lane on: GCC 12's unmasked ones start from an undefined vector,
    // which it reports as uninitialised.
    constexpr __mmask16 kAll = 0xFFFF;
    const __m512 zero = _mm512_setzero_ps();
    const __m512i zero_i = _mm512_setzero_si512();
    const __m512d d_lo = _mm512_loadu_pd(dist);
    const __m512d d_hi = _mm512_loadu_pd(dist + 8);
    // m_wdist[w] < 0: no prediction (as the scalar test, NaN is not below 0).
    const auto has_distance = static_cast<__mmask16>(
        _mm512_cmp_pd_mask(d_lo, _mm512_setzero_pd(), _CMP_NLT_UQ) |
        (static_cast<unsigned>(_mm512_cmp_pd_mask(d_hi, _mm512_setzero_pd(), _CMP_NLT_UQ)) << 8));
    // static_cast<float> of the distances, 16 lanes.
    const __m512 d_lo_f = _mm512_maskz_mov_ps(0x00FF, _mm512_castps256_ps512(_mm512_maskz_cvtpd_ps(0xFF, d_lo)));
    const __m512 d = _mm512_maskz_insertf32x8(kAll, d_lo_f, _mm512_maskz_cvtpd_ps(0xFF, d_hi), 1);
    __m512 offset = _mm512_maskz_sub_ps(kAll, _mm512_loadu_ps(az), _mm512_set1_ps(cell.azimuth_deg));
    offset = _mm512_mask_add_ps(offset, _mm512_cmp_ps_mask(offset, zero, _CMP_LT_OQ), offset, _mm512_set1_ps(360.0f));
    const __m512i bin = _mm512_maskz_min_epi32(
        kAll, _mm512_maskz_cvttps_epi32(kAll, _mm512_maskz_div_ps(kAll, offset, _mm512_set1_ps(5.0f))),
        _mm512_set1_epi32(GainTable::kBins - 1));
    const __m512 reach = _mm512_mask_i32gather_ps(zero, has_distance, bin, cell.radius_m.data(), 4);
    const __m512 l = _mm512_loadu_ps(loss);
    // Not finite: ±∞ or NaN (quiet or signalling).
    const __mmask16 finite = static_cast<__mmask16>(~_mm512_fpclass_ps_mask(l, 0x01 | 0x08 | 0x10 | 0x80));
    const __mmask16 in_zone =
        zone == nullptr ? kAll : _mm_test_epi8_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(zone)), _mm_set1_epi8(-1));
    const __mmask16 evaluated =
        in_zone & has_distance & static_cast<__mmask16>(~_mm512_cmp_ps_mask(d, reach, _CMP_GT_OQ)) & finite;

    // gain_dbi_within_turn(offset, depression).
    const __m512 a = _mm512_mask_sub_ps(offset, _mm512_cmp_ps_mask(offset, _mm512_set1_ps(360.0f), _CMP_GE_OQ),
                                        offset, _mm512_set1_ps(360.0f));
    const __m512 fd = _mm512_maskz_mul_ps(kAll, _mm512_maskz_add_ps(kAll, _mm512_loadu_ps(dep), _mm512_set1_ps(90.0f)),
                                          _mm512_set1_ps(GainTable::kDepStepsPerDeg));
    const __m512i az_steps = _mm512_set1_epi32(GainTable::kAzSteps);
    __m512i ia = _mm512_maskz_cvttps_epi32(kAll, a);
    ia = _mm512_mask_mov_epi32(ia, _mm512_cmp_epi32_mask(ia, az_steps, _MM_CMPINT_NLT), zero_i);
    __m512i id = _mm512_maskz_cvttps_epi32(kAll, fd);
    id = _mm512_maskz_max_epi32(kAll, id, zero_i);
    id = _mm512_maskz_min_epi32(kAll, id, _mm512_set1_epi32(GainTable::kDepSteps - 2));
    const __m512 wa = _mm512_maskz_sub_ps(kAll, a, _mm512_maskz_cvtepi32_ps(kAll, ia));
    const __m512 wd = _mm512_maskz_sub_ps(kAll, fd, _mm512_maskz_cvtepi32_ps(kAll, id));
    __m512i ia1 = _mm512_maskz_add_epi32(kAll, ia, _mm512_set1_epi32(1));
    ia1 = _mm512_mask_mov_epi32(ia1, _mm512_cmp_epi32_mask(ia1, az_steps, _MM_CMPINT_EQ), zero_i);
    const __m512i row0 = _mm512_maskz_mullo_epi32(kAll, id, az_steps);
    const float* table = cell.gain->values();
    const __m512 v00 = _mm512_mask_i32gather_ps(zero, evaluated, _mm512_maskz_add_epi32(kAll, row0, ia), table, 4);
    const __m512 v01 = _mm512_mask_i32gather_ps(zero, evaluated, _mm512_maskz_add_epi32(kAll, row0, ia1), table, 4);
    const __m512i row1 = _mm512_maskz_add_epi32(kAll, row0, az_steps);
    const __m512 v10 = _mm512_mask_i32gather_ps(zero, evaluated, _mm512_maskz_add_epi32(kAll, row1, ia), table, 4);
    const __m512 v11 = _mm512_mask_i32gather_ps(zero, evaluated, _mm512_maskz_add_epi32(kAll, row1, ia1), table, 4);
    const __m512 top = _mm512_maskz_add_ps(kAll, v00, _mm512_maskz_mul_ps(kAll, wa, _mm512_maskz_sub_ps(kAll, v01, v00)));
    const __m512 bottom =
        _mm512_maskz_add_ps(kAll, v10, _mm512_maskz_mul_ps(kAll, wa, _mm512_maskz_sub_ps(kAll, v11, v10)));
    const __m512 gain =
        _mm512_maskz_add_ps(kAll, top, _mm512_maskz_mul_ps(kAll, wd, _mm512_maskz_sub_ps(kAll, bottom, top)));

    const __m512 s = _mm512_maskz_sub_ps(kAll, _mm512_maskz_add_ps(kAll, _mm512_set1_ps(cell.power_dbm), gain), l);
    _mm512_storeu_ps(signal, s);
    // signal < floor: not emitted (as the scalar test, NaN is not below it).
    emit = evaluated & static_cast<__mmask16>(~_mm512_cmp_ps_mask(s, _mm512_set1_ps(cell.floor_dbm), _CMP_LT_OQ));
    return evaluated;
}
#endif

}  // namespace

std::size_t SourceEvaluator::evaluate(const Source& src, const Setup& setup, const PredictionInputs& in,
                                      const SweepSettings& settings, const Zones& zones, const ZoneSink& sink) {
    const geo::Grid& grid = in.grid;
    const PredictionConfig& cfg = in.config;
    SweepSettings swept = settings;
    // A source whose bands are all on ITM needs the rays' terrain only, not Bullington's horizons.
    if (std::all_of(src.bands.begin(), src.bands.end(),
                    [&](const auto& b) { return setup.models[b.model].kind == radio::ModelKind::itm; })) {
        swept.method = DiffractionMethod::none;
    }
    const double r = src.sweep.radius_m;
    // Two zones where some cell's exact zone can end before its reach.
    const bool two_zones =
        zones.has_far() && (src.exact_min_m < r || std::any_of(src.cells.begin(), src.cells.end(), [](const CellPlan& c) {
                                return std::isfinite(c.refine_dbm);
                            }));
    // Empirical loss per band, tabulated every resolution/4 up to the radius.
    m_loss_tables.resize(src.bands.size());
    m_diff_factor.resize(src.bands.size());
    m_clutter_factor.resize(src.bands.size());
    m_itm_params.clear();
    m_itm_slot.assign(src.bands.size(), kNoSlot);
    m_empirical.clear();
    for (std::size_t b = 0; b < src.bands.size(); ++b) {
        const radio::ModelConfig& m = setup.models[src.bands[b].model];
        if (m.kind == radio::ModelKind::itm) {  // a terrain model of its own: ItmRays
            radio::itm::Params p = m.itm;
            p.freq_mhz = src.bands[b].freq_mhz;
            p.h_tx_m = src.sweep.height_agl_m;
            p.h_rx_m = cfg.receiver_height_m;
            m_itm_slot[b] = m_itm_params.size();
            m_itm_params.push_back(p);
            continue;
        }
        m_empirical.push_back(b);
        const double step = grid.resolution_m / 4.0;
        const auto n = static_cast<std::size_t>(std::ceil(r / step)) + 2;
        LossTable& t = m_loss_tables[b];
        t.inv_step = 1.0 / step;
        const bool terrain_los = m.los_mode == radio::LosMode::terrain &&
                                 (m.kind == radio::ModelKind::tr38901_rma || m.kind == radio::ModelKind::tr38901_uma ||
                                  m.kind == radio::ModelKind::tr38901_umi);
        t.los.resize(n + 1);
        t.nlos.resize(terrain_los ? n + 1 : 0);
        for (std::size_t i = 0; i < n; ++i) {
            const double d = static_cast<double>(i) * step;
            t.los[i] = static_cast<float>(empirical_db(m, d, src.bands[b].freq_mhz, src.sweep.height_agl_m,
                                                       cfg.receiver_height_m, true));
            if (terrain_los) {
                t.nlos[i] = static_cast<float>(empirical_db(m, d, src.bands[b].freq_mhz, src.sweep.height_agl_m,
                                                            cfg.receiver_height_m, false));
            }
        }
        t.los[n] = t.los[n - 1];
        if (terrain_los) t.nlos[n] = t.nlos[n - 1];
        m_diff_factor[b] = static_cast<float>(diffraction_factor(m));
        m_clutter_factor[b] = static_cast<float>(m.kind == radio::ModelKind::spm ? m.spm.k_clutter : 1.0);
    }
    const auto dem_ground = [&](int col, int row) { return in.dem_m[grid.index(col, row)]; };
    if (!two_zones) {
        // The sweep finds the horizons only where the zone's pixels ask (RadialSweep::want).
        m_sweep.prepare(src.sweep, grid, swept);
        return evaluate_zone(src, in, m_sweep, grid, zones, ZoneTest::none, r, dem_ground, sink);
    }
    // Blocks a cell's pixels can be evaluated in one by one span under 5° of azimuth beyond
    // min_radius (rays stop at the largest radius of their bin and its neighbours); within it, every
    // block of a cell's exact bound is exact (near the site the antenna pattern changes across a
    // block too fast for its centre to speak for it).
    const double half_diagonal = zones.block * grid.resolution_m * std::numbers::sqrt2 / 2;
    const double min_radius = half_diagonal / std::sin(5.0 / kRadToDeg) + half_diagonal;
    // Extended zone first: one point per block at its centre, on the DEM there (the centre pixel
    // for odd blocks; partial edge blocks take the nearest point of the grid), on rays a block
    // apart at the radius. It decides which blocks are exact for each cell (m_block_exact):
    // within the cell's bound at its threshold (CellPlan::exact_m) unless the block's own signal
    // is below the cell's refine_dbm; the others it hands to the sink.
    prepare_blocks(src, zones, min_radius);
    SweepSettings extended_settings = swept;
    extended_settings.ray_spacing_px = swept.ray_spacing_px * zones.block;
    extended_settings.step_px = kExtendedStepPx;
    m_extended_sweep.prepare(src.sweep, grid, extended_settings);
    const geo::Grid& cg = zones.coarse;
    const std::size_t extended = evaluate_zone(
        src, in, m_extended_sweep, cg, zones, ZoneTest::extended, r,
        [&](int col, int row) {
            const double fc = std::min(grid.fcol(cg.col_center_x(col)), grid.cols - 0.5);
            const double fr = std::min(grid.frow(cg.row_center_y(row)), grid.rows - 0.5);
            return static_cast<float>(geo::sample_bilinear(grid, in.dem_m, fc, fr));
        },
        sink);
    extended_evaluations += extended;
    // Exact zone: the pixels of the blocks exact for some cell, on the rays an all-exact
    // prediction has (ray_radius_m), swept only as far as those blocks reach (their pixels are at
    // most half a block's diagonal beyond their centre).
    // Which blocks are exact for some cell, each row's span of them (m_blocks' columns), and
    // each cell's box of them (grid pixels), where the exact zone's pixels are located and the
    // cell's evaluated.
    const std::size_t blocks = m_blocks.size();
    m_block_any.assign(blocks, 0);
    m_exact_boxes.clear();
    for (std::size_t c = 0; c < src.cells.size(); ++c) {
        const std::uint8_t* exact = &m_block_exact[c * blocks];
        const geo::Window& w = m_block_windows[c];
        int c0 = w.col_end();
        int c1 = w.col0 - 1;
        int r0 = w.row_end();
        int r1 = w.row0 - 1;
        for (int row = w.row0; row < w.row_end(); ++row) {
            for (int col = w.col0; col < w.col_end(); ++col) {
                const std::size_t k = offset_in(m_blocks, col, row);
                if (exact[k] == 0) continue;
                m_block_any[k] = 1;
                c0 = std::min(c0, col);
                c1 = std::max(c1, col);
                r0 = std::min(r0, row);
                r1 = std::max(r1, row);
            }
        }
        m_exact_boxes.push_back(c1 < c0 ? geo::Window{}
                                        : geo::Window{c0 * zones.block, r0 * zones.block, (c1 - c0 + 1) * zones.block,
                                                      (r1 - r0 + 1) * zones.block});
    }
    m_exact_spans.assign(static_cast<std::size_t>(m_blocks.rows), {0, 0});
    for (int row = m_blocks.row0; row < m_blocks.row_end(); ++row) {
        const std::uint8_t* any = &m_block_any[offset_in(m_blocks, m_blocks.col0, row)];
        int first = 0;
        while (first < m_blocks.cols && any[first] == 0) ++first;
        int end = m_blocks.cols;
        while (end > first && any[end - 1] == 0) --end;
        m_exact_spans[static_cast<std::size_t>(row - m_blocks.row0)] = {m_blocks.col0 + first, m_blocks.col0 + end};
    }
    std::array<float, GainTable::kBins> farthest{};  // per 5° bin of true azimuth, m
    for (std::size_t k = 0; k < blocks; ++k) {
        if (m_block_any[k] == 0) continue;
        const auto bin = static_cast<std::size_t>(std::min(static_cast<int>(m_block_az[k] / 5.0f), GainTable::kBins - 1));
        farthest[bin] = std::max(farthest[bin], m_block_d[k]);
    }
    SweepSource exact = src.sweep;
    for (std::size_t b = 0; b < exact.radius_by_bin_m.size(); ++b) {
        exact.radius_by_bin_m[b] = static_cast<float>(
            std::min<double>(exact.radius_by_bin_m[b], std::max<double>(farthest[b] + half_diagonal, min_radius)));
    }
    exact.radius_m = *std::max_element(exact.radius_by_bin_m.begin(), exact.radius_by_bin_m.end());
    SweepSettings exact_settings = swept;
    exact_settings.ray_radius_m = r;
    m_sweep.prepare(exact, grid, exact_settings);
    return extended + evaluate_zone(src, in, m_sweep, grid, zones, ZoneTest::exact, exact.radius_m, dem_ground, sink);
}

void SourceEvaluator::prepare_blocks(const Source& src, const Zones& zones, double min_radius_m) {
    const geo::Grid& cg = zones.coarse;
    m_blocks = zone_window(src, cg, src.sweep.radius_m);
    m_block_near_m = static_cast<float>(min_radius_m);
    const std::size_t n = m_blocks.size();
    m_block_d.resize(n);
    m_block_az.resize(n);
    for (int row = m_blocks.row0; row < m_blocks.row_end(); ++row) {
        const double dy = cg.row_center_y(row) - src.sweep.y_m;
        for (int col = m_blocks.col0; col < m_blocks.col_end(); ++col) {
            const double dx = cg.origin_x_m + (col + 0.5) * cg.resolution_m - src.sweep.x_m;
            const double az = radio::fast_atan2_deg(dx, dy);
            const std::size_t k = offset_in(m_blocks, col, row);
            m_block_d[k] = static_cast<float>(std::sqrt(dx * dx + dy * dy));
            m_block_az[k] = static_cast<float>(az < 0 ? az + 360.0 : az);
        }
    }
    // Each cell's blocks within its bound, in the bin of the block's centre, and no signal yet;
    // only within the cell's reach (reach_window: a block outside holds no pixel within it).
    m_block_exact.assign(src.cells.size() * n, 0);
    m_block_signal.resize(src.cells.size() * n);
    m_block_windows.clear();
    for (std::size_t c = 0; c < src.cells.size(); ++c) {
        const CellPlan& cell = src.cells[c];
        const geo::Window w = reach_window(cell, src, cg).intersect(m_blocks);
        m_block_windows.push_back(w);
        std::uint8_t* exact = &m_block_exact[c * n];
        float* signal = &m_block_signal[c * n];
        for (int row = w.row0; row < w.row_end(); ++row) {
            const std::size_t k0 = offset_in(m_blocks, w.col0, row);
            std::fill(signal + k0, signal + k0 + static_cast<std::size_t>(w.cols), kNaN);
            for (std::size_t k = k0; k < k0 + static_cast<std::size_t>(w.cols); ++k) {
                float offset = m_block_az[k] - cell.azimuth_deg;
                if (offset < 0) offset += 360.0f;
                const auto bin = std::min(static_cast<int>(offset / 5.0f), GainTable::kBins - 1);
                exact[k] = m_block_d[k] > cell.exact_m[static_cast<std::size_t>(bin)] ? 0 : 1;
            }
        }
    }
    m_refines = std::any_of(src.cells.begin(), src.cells.end(), [](const CellPlan& c) { return std::isfinite(c.refine_dbm); });
}

void SourceEvaluator::refine_blocks(const Source& src) {
    // A block the cell's bound holds stays exact where its own signal or a neighbour's (the
    // signal changes across a ridge faster than from block centre to block centre) reaches the
    // cell's refine_dbm, where it has no signal of its own (its centre has no prediction), or near
    // the site.
    const std::size_t n = m_blocks.size();
    for (std::size_t c = 0; c < src.cells.size(); ++c) {
        const float refine = src.cells[c].refine_dbm;
        if (!std::isfinite(refine)) continue;
        std::uint8_t* exact = &m_block_exact[c * n];
        const float* signal = &m_block_signal[c * n];
        const geo::Window& w = m_block_windows[c];  // the cell's blocks: no signal beyond
        for (int row = w.row0; row < w.row_end(); ++row) {
            for (int col = w.col0; col < w.col_end(); ++col) {
                const std::size_t k = offset_in(m_blocks, col, row);
                if (exact[k] == 0 || std::isnan(signal[k]) || m_block_d[k] < m_block_near_m) continue;
                float best = signal[k];
                for (int nr = std::max(row - 1, w.row0); nr <= std::min(row + 1, w.row_end() - 1); ++nr) {
                    for (int nc = std::max(col - 1, w.col0); nc <= std::min(col + 1, w.col_end() - 1); ++nc) {
                        const float v = signal[offset_in(m_blocks, nc, nr)];
                        if (v > best) best = v;
                    }
                }
                if (!(best >= refine)) exact[k] = 0;
            }
        }
    }
}

void SourceEvaluator::emit_blocks(const Source& src, const Zones& zones, const ZoneSink& sink) {
    const geo::Grid& cg = zones.coarse;
    const std::size_t n = m_blocks.size();
    for (std::size_t t = 0; t < zones.coarse_tiles.size(); ++t) {
        const geo::Window sub = zones.coarse_tiles[t].intersect(m_blocks);
        if (sub.empty()) continue;
        for (std::size_t c = 0; c < src.cells.size(); ++c) {
            const CellPlan& cell = src.cells[c];
            const geo::Window cw = sub.intersect(m_cell_windows[c]);
            if (cw.empty()) continue;
            const std::uint8_t* exact = &m_block_exact[c * n];
            const float* signal = &m_block_signal[c * n];
            m_hits.clear();
            for (int row = cw.row0; row < cw.row_end(); ++row) {
                for (int col = cw.col0; col < cw.col_end(); ++col) {
                    const std::size_t k = offset_in(m_blocks, col, row);
                    // Not below the floor (as the pixels' test: NaN, no signal, is not emitted).
                    if (exact[k] != 0 || !(signal[k] >= cell.floor_dbm)) continue;
                    m_hits.push_back({static_cast<std::uint32_t>(cg.index(col, row)),
                                      static_cast<std::int16_t>(round_half_away(signal[k] * 100.0f))});
                }
            }
            if (!m_hits.empty()) sink(cell, ZoneTile{true, t}, m_hits);
        }
    }
}

template <typename Ground>
std::size_t SourceEvaluator::evaluate_zone(const Source& src, const PredictionInputs& in, RadialSweep& sweep,
                                           const geo::Grid& g, const Zones& zones, ZoneTest test, double r,
                                           Ground&& ground_of, const ZoneSink& sink) {
    const bool far = test == ZoneTest::extended;
    const std::span<const geo::Window> tiles = far ? zones.coarse_tiles : zones.fine_tiles;
    const PredictionConfig& cfg = in.config;
    const double hts = src.sweep.ground_m + src.sweep.height_agl_m;
    const geo::Window window = zone_window(src, g, r);
    std::size_t evaluated = 0;
    m_cell_windows.clear();
    for (std::size_t c = 0; c < src.cells.size(); ++c) {
        geo::Window cw = reach_window(src.cells[c], src, g).intersect(window);
        if (test == ZoneTest::exact) cw = cw.intersect(m_exact_boxes[c]);
        m_cell_windows.push_back(cw);
    }
    // The exact zone's blocks (prepare_blocks): a pixel's, as an index into m_blocks.
    const auto block_of = [&](int col, int row) {
        return static_cast<std::size_t>(row / zones.block - m_blocks.row0) * static_cast<std::size_t>(m_blocks.cols) +
               static_cast<std::size_t>(col / zones.block - m_blocks.col0);
    };
    // The extended zone leaves out the blocks every cell's bound holds and none can leave.
    const double always_exact_m =
        m_refines ? std::min<double>(src.exact_min_m, m_block_near_m) : static_cast<double>(src.exact_min_m);
    // Where a pixel is on the source's rays: false where it has no prediction.
    struct Located {
        double d;
        double azimuth_deg;  // −180 … 180
        double az_deg;       // 0 … 360
        int ray;
        float ground;
    };
    // The row's geometry is computed beforehand (row_geometry): m_row_d2, m_row_az, m_row_d.
    auto locate = [&](int col, int row, Located& at) {
        const auto i = static_cast<std::size_t>(col - window.col0);
        const double d2 = m_row_d2[i];
        if (d2 > r * r) return false;
        if (test == ZoneTest::exact) {
            // The pixel's block: exact for some cell.
            if (!m_blocks.contains(col / zones.block, row / zones.block) || m_block_any[block_of(col, row)] == 0) {
                return false;
            }
        } else if (test == ZoneTest::extended && d2 < always_exact_m * always_exact_m) {
            return false;
        }
        at.azimuth_deg = m_row_az[i];
        at.az_deg = at.azimuth_deg < 0 ? at.azimuth_deg + 360.0 : at.azimuth_deg;
        const auto bin = std::min(static_cast<int>(at.az_deg / 5.0), GainTable::kBins - 1);
        const double reach = src.sweep.radius_by_bin_m[static_cast<std::size_t>(bin)];
        if (d2 > reach * reach) return false;
        at.ground = ground_of(col, row);
        if (!std::isfinite(at.ground)) return false;
        at.d = m_row_d[i];
        at.ray = sweep.ray_of(at.azimuth_deg / kRadToDeg);
        return sweep.reaches(at.ray, at.d);
    };
    // First the geometry of every pixel of the window, and the pixels of each ray (a counting
    // sort by ray); then the terrain losses ray by ray (ITM's by ItmRays, the diffraction of the
    // other bands as each ray is swept), so that each ray's sweep state is read while in cache.
    const auto wcols = static_cast<std::size_t>(window.cols);
    const std::size_t wsize = window.size();
    const std::size_t groups = src.sweep.freqs_mhz.size();
    m_wdist.resize(wsize);  // every entry is written below: −1 where a pixel has no prediction
    m_waz.resize(wsize);
    m_wray.resize(wsize);
    m_wground.resize(wsize);
    m_ray_start.assign(static_cast<std::size_t>(sweep.rays()) + 1, 0);
    if (!m_itm_params.empty()) m_itm.reset(sweep);
    {
        Located at{};
        m_row_d2.resize(wcols);
        m_row_az.resize(wcols);
        m_row_d.resize(wcols);
        for (int row = window.row0; row < window.row_end(); ++row) {
            // The row's columns that can lie within the radius, a pixel wider each side than the
            // chord (locate tests each); the rest of the row has no prediction.
            const double dy = g.row_center_y(row) - src.sweep.y_m;
            const double half_chord = std::sqrt(std::max(0.0, r * r - dy * dy));
            int first = std::max(window.col0,
                                 static_cast<int>(std::floor(g.fcol(src.sweep.x_m - half_chord) - 0.5)) - 1);
            int end = std::min(window.col_end(),
                               static_cast<int>(std::ceil(g.fcol(src.sweep.x_m + half_chord) - 0.5)) + 2);
            if (test == ZoneTest::exact) {  // and within the row's span of exact blocks
                const int block_row = row / zones.block;
                if (block_row >= m_blocks.row0 && block_row < m_blocks.row_end()) {
                    const auto& [span0, span1] = m_exact_spans[static_cast<std::size_t>(block_row - m_blocks.row0)];
                    first = std::max(first, span0 * zones.block);
                    end = std::min(end, span1 * zones.block);
                } else {
                    end = first;
                }
            }
            const std::size_t row_w = static_cast<std::size_t>(row - window.row0) * wcols;
            double* row_dist = m_wdist.data() + row_w;
            if (dy * dy > r * r || first >= end) {
                std::fill(row_dist, row_dist + wcols, -1.0);
                continue;
            }
            const auto skip = static_cast<std::size_t>(first - window.col0);
            std::fill(row_dist, row_dist + skip, -1.0);
            std::fill(row_dist + (end - window.col0), row_dist + wcols, -1.0);
            row_geometry(g, first, end - first, src.sweep.x_m, dy, m_row_d2.data() + skip, m_row_az.data() + skip,
                         m_row_d.data() + skip);
            for (int col = first; col < end; ++col) {
                const std::size_t w = row_w + static_cast<std::size_t>(col - window.col0);
                if (!locate(col, row, at)) {
                    m_wdist[w] = -1.0;
                    continue;
                }
                m_wdist[w] = at.d;
                m_waz[w] = static_cast<float>(at.az_deg);
                m_wray[w] = at.ray;
                m_wground[w] = at.ground;
                ++m_ray_start[static_cast<std::size_t>(at.ray) + 1];
                sweep.want(at.ray, at.d);
            }
        }
    }
    // The window's pixels ray by ray (a counting sort), each ray's as far as its radius.
    for (std::size_t ray = 1; ray < m_ray_start.size(); ++ray) m_ray_start[ray] += m_ray_start[ray - 1];
    m_by_ray_d.resize(m_ray_start.back());
    m_by_ray_ground.resize(m_ray_start.back());
    m_by_ray_w.resize(m_ray_start.back());
    for (std::size_t w = 0; w < wsize; ++w) {
        if (m_wdist[w] >= 0) {
            const std::uint32_t e = m_ray_start[static_cast<std::size_t>(m_wray[w])]++;
            m_by_ray_d[e] = m_wdist[w];
            m_by_ray_ground[e] = m_wground[w];
            m_by_ray_w[e] = static_cast<std::uint32_t>(w);
        }
    }
    // m_ray_start[ray] is now the end of the ray's entries. Each swept ray: a pixel beyond its
    // end (the DEM's edge or nodata) has no prediction; the others are queued for ITM and get
    // their depression angle and the other bands' path loss while the ray's horizons are in
    // cache. The empirical bands' tables share their step and length (LossTable): one point
    // per pixel serves them all.
    const bool diffraction = !m_empirical.empty();
    const LossTable* points = diffraction ? &m_loss_tables[m_empirical.front()] : nullptr;
    m_wdep.resize(wsize);
    m_wloss.resize(diffraction ? src.bands.size() * wsize : 0);
    const double rx_height = cfg.receiver_height_m;
    auto visit = [&](int ray) {
        const auto ri = static_cast<std::size_t>(ray);
        const std::size_t e0 = ri == 0 ? 0 : m_ray_start[ri - 1];
        const std::size_t n = m_ray_start[ri] - e0;
        if (diffraction) {
            m_ray_loss.resize(n * groups);
            m_ray_reached.resize(n);
            sweep.ray_losses_db(ray, std::span(m_by_ray_d).subspan(e0, n), std::span(m_by_ray_ground).subspan(e0, n),
                                  m_ray_loss, m_ray_reached);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t e = e0 + i;
            const std::uint32_t w = m_by_ray_w[e];
            if (diffraction ? m_ray_reached[i] == 0 : !sweep.reaches(ray, m_by_ray_d[e])) {
                m_wdist[w] = -1.0;
                continue;
            }
            const double d = m_by_ray_d[e];
            if (!m_itm_params.empty()) m_itm.add(w, ray, d, m_by_ray_ground[e]);
            m_wdep[w] = static_cast<float>(radio::fast_atan2_deg(hts - (m_by_ray_ground[e] + rx_height), std::max(d, 1.0)));
            if (diffraction) {
                const LossTable::Point at = points->point(d);
                for (const std::size_t b : m_empirical) {
                    const float diff = m_ray_loss[i * groups + src.bands[b].group];
                    m_wloss[b * wsize + w] = m_loss_tables[b].at(at, diff <= 0.0f) + m_diff_factor[b] * diff;
                }
            }
        }
    };
    // No ray is sampled beyond its last located point: the reach's bound per bin is the same for
    // every ray of the bin and its neighbours, the zone's points are not.
    sweep.trim_to_wanted();
    sweep.sweep(in.grid, in.dem_m, visit);
    // The receiver's clutter loss, at the pixel of the analysis grid under the point (a far-zone
    // block: under its centre).
    if (diffraction && !in.clutter_loss_db.empty()) {
        for (std::size_t w = 0; w < wsize; ++w) {
            if (m_wdist[w] < 0) continue;
            const int col = window.col0 + static_cast<int>(w % wcols);
            const int row = window.row0 + static_cast<int>(w / wcols);
            const auto px = in.grid.pixel_of(g.col_center_x(col), g.row_center_y(row));
            const float clutter = px ? in.clutter_loss_db[in.grid.index((*px)[0], (*px)[1])] : 0.0f;
            if (clutter == 0.0f) continue;
            for (const std::size_t b : m_empirical) m_wloss[b * wsize + w] += m_clutter_factor[b] * clutter;
        }
    }
    if (!m_itm_params.empty()) {
        m_itm_loss.assign(m_itm_params.size() * wsize, kNaN);
        itm_undefined += m_itm.evaluate(sweep, m_itm_params, wsize, m_itm_loss);
    }
    const bool avx512 = radio::best_kernels() == radio::Kernels::avx512;
    for (std::size_t t = 0; t < tiles.size(); ++t) {
        const geo::Window sub = tiles[t].intersect(window);
        if (sub.empty()) continue;
        bool any = false;
        for (int row = sub.row0; row < sub.row_end() && !any; ++row) {
            const double* dist = &m_wdist[static_cast<std::size_t>(row - window.row0) * wcols + (sub.col0 - window.col0)];
            any = std::any_of(dist, dist + sub.cols, [](double d) { return d >= 0; });
        }
        if (!any) continue;
        // Each cell: antenna gain toward each pixel, signal, handed to the sink; 16 pixels at a
        // time where the CPU has AVX-512 (cell_signals_avx512: the same numbers). In the exact
        // zone, only the pixels of the cell's exact blocks; in the extended zone, a block the
        // cell's bound holds stays exact where its signal reaches refine_dbm (or it is near the
        // site), else it is the extended zone's.
        for (std::size_t c = 0; c < src.cells.size(); ++c) {
            const CellPlan& cell = src.cells[c];
            const geo::Window cw = sub.intersect(m_cell_windows[c]);
            if (cw.empty()) continue;
            const std::size_t slot = m_itm_slot[cell.band];
            const float* pl = slot != kNoSlot ? &m_itm_loss[slot * wsize] : &m_wloss[cell.band * wsize];
            std::uint8_t* cell_blocks = test == ZoneTest::none ? nullptr : &m_block_exact[c * m_blocks.size()];
            m_hits.clear();
            {
                // A signal at or above the floor, in centi-dBm (the accumulators' unit).
                auto emit_dbm = [&](int col, int row, float signal) {
                    m_hits.push_back({static_cast<std::uint32_t>(g.index(col, row)),
                                      static_cast<std::int16_t>(round_half_away(signal * 100.0f))});
                };
                // The extended zone keeps each block's signal (refine_blocks decides, emit_blocks
                // hands on).
                float* block_signal = test == ZoneTest::extended ? &m_block_signal[c * m_blocks.size()] : nullptr;
                for (int row = cw.row0; row < cw.row_end(); ++row) {
                    int col = cw.col0;
                    // In the exact zone, whether the cell's block holds each pixel of the row (from
                    // cw.col0), the same for the block's rows.
                    const std::uint8_t* row_exact = nullptr;
                    if (test == ZoneTest::exact) {
                        if (row == cw.row0 || row % zones.block == 0) {
                            const std::uint8_t* row_blocks =
                                cell_blocks + static_cast<std::ptrdiff_t>(row / zones.block - m_blocks.row0) * m_blocks.cols -
                                m_blocks.col0;
                            m_row_exact.resize(static_cast<std::size_t>(cw.cols));
                            for (int k = 0; k < cw.cols; ++k) {
                                m_row_exact[static_cast<std::size_t>(k)] = row_blocks[(cw.col0 + k) / zones.block];
                            }
                        }
                        row_exact = m_row_exact.data() - cw.col0;
                    }
#if PHUSONG_HAVE_AVX2_KERNELS
                    if (avx512) {
                        for (; col + 16 <= cw.col_end(); col += 16) {
                            const std::size_t w =
                                static_cast<std::size_t>(row - window.row0) * wcols + (col - window.col0);
                            std::array<float, 16> signal;
                            std::uint32_t to_emit = 0;
                            const std::uint32_t lanes =
                                cell_signals_avx512(&m_wdist[w], &m_waz[w], &m_wdep[w], &pl[w],
                                                    row_exact != nullptr ? row_exact + col : nullptr, cell, signal.data(), to_emit);
                            evaluated += static_cast<std::size_t>(std::popcount(lanes));
                            if (block_signal != nullptr) {
                                for (std::uint32_t e = lanes; e != 0; e &= e - 1) {
                                    const int lane = std::countr_zero(e);
                                    block_signal[offset_in(m_blocks, col + lane, row)] = signal[static_cast<std::size_t>(lane)];
                                }
                                continue;
                            }
                            for (; to_emit != 0; to_emit &= to_emit - 1) {
                                const int lane = std::countr_zero(to_emit);
                                emit_dbm(col + lane, row, signal[static_cast<std::size_t>(lane)]);
                            }
                        }
                    }
#endif
                    for (; col < cw.col_end(); ++col) {
                        const std::size_t w = static_cast<std::size_t>(row - window.row0) * wcols + (col - window.col0);
                        if (m_wdist[w] < 0) continue;
                        if (row_exact != nullptr && row_exact[col] == 0) continue;
                        float offset = m_waz[w] - cell.azimuth_deg;
                        if (offset < 0) offset += 360.0f;
                        const auto bin = std::min(static_cast<int>(offset / 5.0f), GainTable::kBins - 1);
                        if (static_cast<float>(m_wdist[w]) > cell.radius_m[static_cast<std::size_t>(bin)] ||
                            !std::isfinite(pl[w])) {
                            continue;
                        }
                        const float signal = cell.power_dbm + cell.gain->gain_dbi_within_turn(offset, m_wdep[w]) - pl[w];
                        ++evaluated;
                        if (block_signal != nullptr) {
                            block_signal[offset_in(m_blocks, col, row)] = signal;
                            continue;
                        }
                        if (signal < cell.floor_dbm) continue;
                        emit_dbm(col, row, signal);
                    }
                }
            }
            if (!m_hits.empty()) sink(cell, ZoneTile{far, t}, m_hits);
        }
    }
    if (test == ZoneTest::extended) {
        refine_blocks(src);
        emit_blocks(src, zones, sink);
    }
    return evaluated;
}

}  // namespace phusong::coverage::detail
