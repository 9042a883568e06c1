#include "phusong/coverage/predict.hpp"

#include <spdlog/spdlog.h>
#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <mutex>
#include <map>
#include <numbers>
#include <set>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/log.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/core/round.hpp"
#include "phusong/coverage/footprint.hpp"
#include "phusong/coverage/gain_table.hpp"
#include "phusong/coverage/itm_sweep.hpp"
#include "phusong/coverage/sweep.hpp"
#include "phusong/radio/angles.hpp"
#include "phusong/radio/link_budget.hpp"
#include "phusong/radio/multiversion.hpp"
#include "phusong/radio/pathloss.hpp"

#if PHUSONG_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace phusong::coverage {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

// ---------------------------------------------------------------------------------------------
// Deterministic accumulation. Signals are kept in centi-dB (int16: 0.01 dB steps, ±327 dBm) and
// powers as integers of 1e-16 mW, so that max, top-4 and sums give the same bits in any order,
// whatever the thread count. 1e-16 mW is −160 dBm, 20 dB under the lowest floor.
constexpr int kQMin = -16000;  // −160 dBm
constexpr int kQMax = 2000;    // +20 dBm: no received signal comes near it
constexpr std::int16_t kNone = std::numeric_limits<std::int16_t>::min();

const std::vector<std::int64_t>& power_table() {
    static const std::vector<std::int64_t> table = [] {
        std::vector<std::int64_t> t(kQMax - kQMin + 1);
        for (int q = kQMin; q <= kQMax; ++q) {
            t[q - kQMin] = std::llround(std::pow(10.0, q / 1000.0 + 16.0));
        }
        return t;
    }();
    return table;
}

inline std::int64_t power_units(int q) {
    return power_table()[static_cast<std::size_t>(std::clamp(q, kQMin, kQMax) - kQMin)];
}

struct LayerAccumulator {
    std::vector<std::array<std::int16_t, 4>> top;  // four best signals, centi-dBm, descending
    std::vector<std::int32_t> server;
    std::vector<std::int64_t> power_sum;          // Σ signal power, 1e-16 mW
    std::vector<std::mutex> tile_locks;

    LayerAccumulator(std::size_t pixels, std::size_t tiles)
        : top(pixels, {kNone, kNone, kNone, kNone}),
          server(pixels, -1),
          power_sum(pixels, 0),
          tile_locks(tiles) {}

    void merge(std::size_t i, std::int16_t q, std::int32_t cell) {
        if (q > top[i][0] || (q == top[i][0] && cell < server[i])) server[i] = cell;
        insert(top[i], q);
        power_sum[i] += power_units(q);
    }

    /// Adds the far zone's signals (`far`, one entry per pixel of `blocks`, the grid of
    /// `block` × `block` pixel blocks of `grid`) to every pixel of its block: the same result as
    /// merging them pixel by pixel.
    void absorb_blocks(const LayerAccumulator& far, const geo::Grid& grid, const geo::Grid& blocks, int block) {
        for (int row = 0; row < grid.rows; ++row) {
            for (int col = 0; col < grid.cols; ++col) {
                const std::size_t j = blocks.index(col / block, row / block);
                const auto& ft = far.top[j];
                if (ft[0] == kNone) continue;
                const std::size_t i = grid.index(col, row);
                if (ft[0] > top[i][0] || (ft[0] == top[i][0] && far.server[j] < server[i])) server[i] = far.server[j];
                for (const std::int16_t q : ft) {
                    if (q != kNone) insert(top[i], q);
                }
                power_sum[i] += far.power_sum[j];
            }
        }
    }

private:
    static void insert(std::array<std::int16_t, 4>& t, std::int16_t q) {
        if (q <= t[3]) return;
        int j = 3;
        while (j > 0 && q > t[j - 1]) {
            t[j] = t[j - 1];
            --j;
        }
        t[j] = q;
    }
};

// ---------------------------------------------------------------------------------------------
// Static set-up: cells, sources (site × antenna height), bands (frequency × model) per source.

struct Band {
    double freq_mhz = 0;
    std::size_t model = 0;   // index into Plan::models
    std::size_t group = 0;   // index into the source's swept frequencies
};

struct CellPlan {
    std::size_t cell = 0;
    std::size_t layer = 0;
    std::size_t band = 0;         // index into Source::bands
    float power_dbm = 0;          // reference-signal power at the antenna, feeder loss deducted
    float azimuth_deg = 0;
    float floor_dbm = 0;
    std::array<float, GainTable::kBins> radius_m{};  ///< reach per 5° bin of azimuth offset, m
    const GainTable* gain = nullptr;
};

struct Source {
    std::size_t site = 0;
    SweepSource sweep;
    std::vector<Band> bands;
    std::vector<CellPlan> cells;
    std::string operator_name;
};

double floor_for(radio::Technology t, const PredictionConfig& c) {
    switch (t) {
        case radio::Technology::gsm: return c.rxlev_floor_dbm;
        case radio::Technology::umts: return c.rscp_floor_dbm;
        default: return c.rsrp_floor_dbm;
    }
}

std::string signal_name(radio::Technology t) {
    switch (t) {
        case radio::Technology::gsm: return "RxLev";
        case radio::Technology::umts: return "RSCP";
        default: return "RSRP";
    }
}

/// Empirical loss factor of the diffraction term in path_loss_db (linear in it: SPM weighs it
/// by K4, the other models by diffraction_weight).
double diffraction_factor(const radio::ModelConfig& m) {
    return m.kind == radio::ModelKind::spm ? m.spm.k4 : m.diffraction_weight;
}

/// Median loss without terrain (dB) at distance d_m; with LosMode::terrain the lower of the LOS
/// and NLOS branches, since the sweep decides which applies.
double empirical_db(const radio::ModelConfig& m, double d_m, double freq_mhz, double h_tx_m, double h_rx_m,
                    bool los) {
    return radio::path_loss_db(m, {std::max(d_m, 1.0), freq_mhz, h_tx_m, h_rx_m, 0.0, 0.0, los});
}

constexpr double kReachStep_m = 250.0;

/// A cell's reach per 5° bin of azimuth offset: the end of the last 250 m ring where the signal
/// can still reach the floor. On the ring (d0, d0 + 250 m] the loss is at least the empirical loss
/// at d0 (it grows with distance and terrain only adds to it) and the gain at most the bin's
/// largest gain for depressions up to the steepest a pixel can be seen at from d0 (the lowest
/// ground of the area), so beyond the reach no pixel is above the floor.
std::array<float, GainTable::kBins> cell_reach(const CellPlan& cell, std::span<const double> ring_loss_db,
                                               double hts_m, double lowest_rx_m, double max_m) {
    std::array<float, GainTable::kBins> reach{};
    for (int b = 0; b < GainTable::kBins; ++b) {
        double r = kReachStep_m;
        for (std::size_t j = 1; j < ring_loss_db.size(); ++j) {
            const double d0 = (j - 1) * kReachStep_m;
            const auto dep = static_cast<float>(std::atan2(hts_m - lowest_rx_m, std::max(d0, 1.0)) * kRadToDeg);
            if (cell.power_dbm + cell.gain->max_gain_dbi(b, dep) - ring_loss_db[j - 1] >= cell.floor_dbm) {
                r = static_cast<double>(j) * kReachStep_m;
            }
        }
        reach[static_cast<std::size_t>(b)] = static_cast<float>(std::min(r, max_m));
    }
    return reach;
}

/// Empirical loss sampled every step/4 from 0 to the source radius, for linear interpolation per
/// pixel (the largest error, next to the site, is under 0.1 dB beyond 60 m); beyond the last
/// sample, its value. A source's tables all have the same step and length, so a pixel's place in
/// them (point) serves every band.
struct LossTable {
    double inv_step = 0;
    // One value more than the samples, a copy of the last: a point beyond the table reads it
    // with weight 0 (t + 0·0 is t exactly).
    std::vector<float> los;
    std::vector<float> nlos;  // empty unless the model's LOS branch follows the terrain
    struct Point {
        std::size_t i = 0;  ///< the sample below (the last one beyond the table)
        float w = 0;        ///< weight of the sample above (0 beyond the table)
    };
    [[nodiscard]] Point point(double d_m) const noexcept {
        const double x = d_m * inv_step;
        const auto i = static_cast<std::size_t>(x);
        const std::size_t samples = los.size() - 1;
        if (i + 1 >= samples) return {samples - 1, 0.0f};
        return {i, static_cast<float>(x - static_cast<double>(i))};
    }
    [[nodiscard]] float at(Point p, bool terrain_los) const noexcept {
        const std::vector<float>& t = (nlos.empty() || terrain_los) ? los : nlos;
        return t[p.i] + p.w * (t[p.i + 1] - t[p.i]);
    }
};

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

/// What predict and site_footprints share: models, gain tables and sources with their reach.
struct Setup {
    std::vector<radio::ModelConfig> models;     ///< index 0: the default; then the overrides
    std::vector<std::size_t> layer_model;       ///< per SiteTable::layers
    std::map<std::tuple<std::string, double, double>, std::unique_ptr<GainTable>> gains;
    std::vector<Source> sources;
    std::size_t model_warnings = 0;             ///< cells outside their model's validity range
};

}  // namespace

void check_model_overrides(const PredictionConfig& config, const sites::SiteTable& table, bool layers) {
    ProblemList problems;
    for (const auto& entry : config.layer_models) {
        const std::string& name = entry.first;  // a structured binding cannot be captured before clang 16
        if (layers && std::none_of(table.layers.begin(), table.layers.end(),
                                   [&](const sites::Layer& l) { return l.name == name; })) {
            std::string known;
            for (const auto& l : table.layers) known += (known.empty() ? "" : ", ") + l.name;
            problems.add("", "key prediction.layer.\"" + name + "\"", "no such layer in the site table; layers are: " + known);
        }
    }
    for (const auto& [name, model] : config.band_models) {
        if (const sites::BandInfo* band = sites::find_band(name); band == nullptr) {
            problems.add("", "key prediction.band.\"" + name + "\"",
                         "unknown band; expected one of " + sites::known_band_names());
        } else if (band->name != name) {
            // The site table's bands are matched in any case; an override names one as the
            // layers do, so that it cannot silently miss them.
            problems.add("", "key prediction.band.\"" + name + "\"",
                         "write the band as " + std::string(band->name) + ": [prediction.band.\"" +
                             std::string(band->name) + "\"]");
        }
    }
    problems.throw_if_any();
}

void check_cell_bandwidths(const PredictionConfig& config, const sites::SiteTable& table) {
    ProblemList problems;
    for (const sites::Cell& c : table.cells) {
        try {
            (void)sites::reference_signal_power_dbm(c, config.nr_scs_khz);
        } catch (const std::invalid_argument& e) {
            problems.add(table.file, "row " + std::to_string(c.row) + ", field bandwidth_mhz",
                         std::string(e.what()) + ": give the cell's channel bandwidth");
        }
    }
    problems.throw_if_any();
}

namespace {

std::string fmt_g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

/// "cost231_hata, spm and itm": the models whose validity range holds [lo_mhz, hi_mhz].
std::string models_valid_at(double lo_mhz, double hi_mhz) {
    std::vector<std::string_view> names;
    for (const auto& [kind, name] : radio::kModelNames) {
        const radio::ValidityRange v = radio::validity(kind);
        if (kind != radio::ModelKind::free_space && lo_mhz >= v.f_min_mhz && hi_mhz <= v.f_max_mhz) {
            names.push_back(name);
        }
    }
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) {
        s += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
    }
    return s;
}

}  // namespace

std::vector<std::string> prediction_warnings(const PredictionConfig& cfg, const sites::SiteTable& table) {
    std::vector<std::string> out;
    for (const auto& entry : cfg.band_models) {
        const std::string& name = entry.first;
        if (std::none_of(table.layers.begin(), table.layers.end(),
                         [&](const sites::Layer& l) { return l.band == name; })) {
            out.push_back("prediction.band.\"" + name + "\": no cell of the site table uses this band");
        }
    }
    // Cells outside their model's validity, one line per model and limit crossed (a province has
    // thousands of cells on a few models), naming the bands and the values. Each layer's model as
    // make_setup resolves it: the layer's override, else its band's, else [prediction]'s.
    enum class Limit { f_low, f_high, h_low, h_high };
    struct Crossing {
        std::size_t cells = 0;
        double lo = std::numeric_limits<double>::infinity();
        double hi = -std::numeric_limits<double>::infinity();
        std::set<std::string> bands;
        std::set<std::string> layers;
    };
    std::map<std::pair<radio::ModelKind, Limit>, Crossing> crossings;
    std::set<radio::ModelKind> models_used;
    bool any_itm = cfg.model.kind == radio::ModelKind::itm;
    for (const sites::Layer& layer : table.layers) {
        const auto by_layer = cfg.layer_models.find(layer.name);
        const auto by_band = cfg.band_models.find(layer.band);
        const radio::ModelConfig& model = by_layer != cfg.layer_models.end() ? by_layer->second
                                          : by_band != cfg.band_models.end() ? by_band->second
                                                                             : cfg.model;
        any_itm = any_itm || model.kind == radio::ModelKind::itm;
        models_used.insert(model.kind);
        const radio::ValidityRange v = radio::validity(model.kind);
        const auto count = [&](Limit limit, double value) {
            Crossing& c = crossings[{model.kind, limit}];
            ++c.cells;
            c.lo = std::min(c.lo, value);
            c.hi = std::max(c.hi, value);
            c.bands.insert(layer.band);
            c.layers.insert(layer.name);
        };
        for (std::size_t ci : layer.cells) {
            const sites::Cell& c = table.cells[ci];
            if (c.freq_mhz < v.f_min_mhz) count(Limit::f_low, c.freq_mhz);
            if (c.freq_mhz > v.f_max_mhz) count(Limit::f_high, c.freq_mhz);
            if (c.height_agl_m < v.h_tx_min_m) count(Limit::h_low, c.height_agl_m);
            if (c.height_agl_m > v.h_tx_max_m) count(Limit::h_high, c.height_agl_m);
        }
    }
    const auto join = [](const std::set<std::string>& items) {
        std::string s;
        for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
        return s;
    };
    for (const auto& [key, c] : crossings) {
        const auto& [kind, limit] = key;
        const radio::ValidityRange v = radio::validity(kind);
        const bool frequency = limit == Limit::f_low || limit == Limit::f_high;
        const std::string unit = frequency ? " MHz" : " m";
        const std::string values = c.lo == c.hi ? fmt_g(c.lo) + unit : fmt_g(c.lo) + "–" + fmt_g(c.hi) + unit;
        const std::string bound = limit == Limit::f_low    ? "below its lowest frequency, " + fmt_g(v.f_min_mhz)
                                  : limit == Limit::f_high ? "above its highest frequency, " + fmt_g(v.f_max_mhz)
                                  : limit == Limit::h_low  ? "below its lowest antenna height, " + fmt_g(v.h_tx_min_m)
                                                           : "above its highest antenna height, " + fmt_g(v.h_tx_max_m);
        std::string line = "model " + std::string(radio::to_string(kind)) + ": " + std::to_string(c.cells) +
                           (c.cells == 1 ? " cell" : " cells") + " of band" + (c.bands.size() == 1 ? " " : "s ") +
                           join(c.bands) + " (" + std::to_string(c.layers.size()) +
                           (c.layers.size() == 1 ? " layer" : " layers") + ") " +
                           (frequency ? "at " : "with antennas at ") + values + (c.cells == 1 ? " is " : " are ") +
                           bound + unit + "; their predictions are extrapolated";
        if (frequency) {
            const std::string valid = models_valid_at(c.lo, c.hi);
            if (!valid.empty()) {
                line += " (valid at " + values + ": " + valid + "; set one with [prediction.band.\"" +
                        *c.bands.begin() + "\"] model = …)";
            }
        }
        out.push_back(std::move(line));
    }
    for (const radio::ModelKind kind : models_used) {
        const radio::ValidityRange v = radio::validity(kind);
        if (cfg.receiver_height_m < v.h_rx_min_m || cfg.receiver_height_m > v.h_rx_max_m) {
            out.push_back("model " + std::string(radio::to_string(kind)) + ": prediction.receiver_height_m = " +
                          fmt_g(cfg.receiver_height_m) + " m is outside its receiver heights " +
                          fmt_g(v.h_rx_min_m) + "–" + fmt_g(v.h_rx_max_m) + " m; its predictions are extrapolated");
        }
    }
    if (any_itm && cfg.far_block_px > 1) {
        // tools/sweep_accuracy on the demo (docs/models/itm.md): far_block_px = 3 gives a
        // 95th percentile of 10 dB with ITM (5 dB with Bullington).
        out.push_back("prediction.far_block_px = " + std::to_string(cfg.far_block_px) +
                      " with ITM: one ITM value per block is a poor stand-in for its pixels (ITM follows the "
                      "receiver's own terrain closely); consider far_block_px = 1");
    }
    return out;
}

namespace {

/// Resolves each layer's model (checking the overrides), tabulates the antennas, groups cells
/// into sources (site × antenna height) and bands, and bounds every cell's reach. Cells'
/// floors are raised to `min_floor_dbm` where it is higher (footprints need less reach). With
/// `check_overrides`, model overrides naming no layer or band of the table are reported (a
/// planning table of candidates legitimately uses few of the scenario's layers and bands).
Setup make_setup(const PredictionInputs& in, double min_floor_dbm, bool check_overrides) {
    const PredictionConfig& cfg = in.config;
    const sites::SiteTable& table = in.table;
    Setup setup;

    // Models: index 0 is the default, then one per overridden band or layer (a layer wins).
    setup.models = {cfg.model};
    setup.layer_model.assign(table.layers.size(), 0);
    for (std::size_t l = 0; l < table.layers.size(); ++l) {
        const auto band = cfg.band_models.find(table.layers[l].band);
        const auto layer = cfg.layer_models.find(table.layers[l].name);
        if (layer != cfg.layer_models.end() || band != cfg.band_models.end()) {
            setup.layer_model[l] = setup.models.size();
            setup.models.push_back(layer != cfg.layer_models.end() ? layer->second : band->second);
        }
    }
    check_model_overrides(cfg, table, check_overrides);
    check_cell_bandwidths(cfg, table);

    // Gain tables, one per (antenna, mechanical tilt, electrical tilt), built in parallel.
    auto& gains = setup.gains;
    for (const auto& c : table.cells) gains[{c.antenna, c.mech_tilt_deg, c.elec_tilt_deg}];
    {
        std::vector<std::remove_reference_t<decltype(gains)>::iterator> todo;
        for (auto it = gains.begin(); it != gains.end(); ++it) todo.push_back(it);
        parallel_for(std::size_t{0}, todo.size(), [&](std::size_t i) {
            const auto& [name, mech, elec] = todo[i]->first;
            todo[i]->second = std::make_unique<GainTable>(in.antennas.at(name), mech, elec, cfg.antenna_attenuation_weight);
        });
    }

    // Sources: one per (site, antenna height); bands: one per (frequency, model) on a source.
    auto& sources = setup.sources;
    for (std::size_t s = 0; s < table.sites.size(); ++s) {
        const sites::Site& site = table.sites[s];
        std::map<double, std::size_t> by_height;
        for (std::size_t ci : site.cells) {
            const sites::Cell& c = table.cells[ci];
            auto [it, fresh] = by_height.emplace(c.height_agl_m, sources.size());
            if (fresh) {
                Source src;
                src.site = s;
                src.sweep.x_m = in.placements[s].x_m;
                src.sweep.y_m = in.placements[s].y_m;
                src.sweep.ground_m = in.placements[s].ground_m;
                src.sweep.height_agl_m = c.height_agl_m;
                src.operator_name = site.operator_name;
                sources.push_back(std::move(src));
            }
            Source& src = sources[it->second];
            const std::size_t model = setup.layer_model[c.layer];
            auto band = std::find_if(src.bands.begin(), src.bands.end(), [&](const Band& b) {
                return b.freq_mhz == c.freq_mhz && b.model == model;
            });
            if (band == src.bands.end()) {
                src.bands.push_back({c.freq_mhz, model, 0});
                band = src.bands.end() - 1;
            }
            // The table's power per resource element where it gives one, else the conversion
            // from the total power (radio::reference_signal_power_dbm).
            const double rs = sites::reference_signal_power_dbm(c, cfg.nr_scs_khz);
            CellPlan plan;
            plan.cell = ci;
            plan.layer = c.layer;
            plan.band = static_cast<std::size_t>(band - src.bands.begin());
            plan.power_dbm = static_cast<float>(rs - cfg.feeder_loss_db);
            plan.azimuth_deg = static_cast<float>(c.azimuth_deg);
            plan.floor_dbm = static_cast<float>(std::max(floor_for(c.tech, cfg), min_floor_dbm));
            plan.gain = gains.at({c.antenna, c.mech_tilt_deg, c.elec_tilt_deg}).get();
            const radio::ValidityRange v = radio::validity(setup.models[model].kind);
            if (c.freq_mhz < v.f_min_mhz || c.freq_mhz > v.f_max_mhz || c.height_agl_m < v.h_tx_min_m ||
                c.height_agl_m > v.h_tx_max_m) {
                ++setup.model_warnings;
            }
            src.cells.push_back(plan);
        }
    }

    // Reach of every cell per direction, then each source's radius per 5° bin of true azimuth.
    // The lowest receiver is bounded by the lowest ground of the grid.
    // A shard passes the whole grid's bounds, so that its reaches are the run's.
    const ReachBounds bounds = in.reach_bounds ? *in.reach_bounds : reach_bounds_of(in.dem_m, in.clutter_loss_db);
    const double lowest_rx = bounds.lowest_ground_m + cfg.receiver_height_m;
    // A negative clutter loss (a class more open than the model's median) lowers every bound.
    const float clutter_lo = bounds.clutter_min_db;
    const float clutter_hi = bounds.clutter_max_db;
    const auto rings = static_cast<std::size_t>(std::ceil(cfg.max_radius_m / kReachStep_m)) + 1;
    parallel_for(std::size_t{0}, sources.size(), [&](std::size_t si) {
        Source& src = sources[si];
        const double hts = src.sweep.ground_m + src.sweep.height_agl_m;
        std::vector<std::vector<double>> ring_loss(src.bands.size(), std::vector<double>(rings));
        for (std::size_t b = 0; b < src.bands.size(); ++b) {
            const radio::ModelConfig& m = setup.models[src.bands[b].model];
            // ITM's loss has no lower bound from the distance alone (its variability can take it
            // below free space): its cells reach max_radius_m.
            if (m.kind == radio::ModelKind::itm) continue;
            for (std::size_t j = 0; j < rings; ++j) {
                const double d = static_cast<double>(j) * kReachStep_m;
                const double k = m.kind == radio::ModelKind::spm ? m.spm.k_clutter : 1.0;
                ring_loss[b][j] = std::min(empirical_db(m, d, src.bands[b].freq_mhz, src.sweep.height_agl_m,
                                                        cfg.receiver_height_m, true),
                                           empirical_db(m, d, src.bands[b].freq_mhz, src.sweep.height_agl_m,
                                                        cfg.receiver_height_m, false)) +
                                  std::min({0.0, k * clutter_lo, k * clutter_hi});
            }
        }
        src.sweep.radius_by_bin_m.assign(GainTable::kBins, 0.0f);
        for (CellPlan& cell : src.cells) {
            cell.radius_m = cell_reach(cell, ring_loss[cell.band], hts, lowest_rx, cfg.max_radius_m);
            // Cell bin b spans offsets [5b, 5b + 5): true azimuths cell_az + that, which straddle
            // two true-azimuth bins.
            for (int b = 0; b < GainTable::kBins; ++b) {
                const float r = cell.radius_m[static_cast<std::size_t>(b)];
                const int first = static_cast<int>(std::floor((cell.azimuth_deg + 5.0f * b) / 5.0f));
                for (int w = first; w <= first + 1; ++w) {
                    float& dst = src.sweep.radius_by_bin_m[static_cast<std::size_t>(
                        ((w % GainTable::kBins) + GainTable::kBins) % GainTable::kBins)];
                    dst = std::max(dst, r);
                }
            }
        }
        src.sweep.radius_m = *std::max_element(src.sweep.radius_by_bin_m.begin(), src.sweep.radius_by_bin_m.end());
    });
    for (auto& src : sources) {
        std::vector<double> freqs;
        for (const auto& b : src.bands) freqs.push_back(b.freq_mhz);
        std::vector<double> reps = group_frequencies(freqs, src.sweep.freqs_mhz);
        for (std::size_t b = 0; b < src.bands.size(); ++b) {
            src.bands[b].group = static_cast<std::size_t>(
                std::find(src.sweep.freqs_mhz.begin(), src.sweep.freqs_mhz.end(), reps[b]) -
                src.sweep.freqs_mhz.begin());
        }
    }
    return setup;
}

#if PHUSONG_HAVE_AVX2_KERNELS
/// The cell loop of evaluate_zone for 16 consecutive pixels of a window row (AVX-512): on each
/// lane the same operations in the same order as the scalar loop there, and
/// GainTable::gain_dbi_within_turn's (no FMA: the build's -ffp-contract=off). Returns the lanes
/// the scalar loop evaluates (a distance, within the cell's reach in its 5° bin, a finite loss);
/// `emit` gets those at or above the cell's floor and `signal` every evaluated lane's signal,
/// dBm. Gathers read only evaluated lanes (the others' azimuths need not be valid).
PHUSONG_AVX512_TARGET
std::uint32_t cell_signals_avx512(const double* dist, const float* az, const float* dep, const float* loss,
                                  const CellPlan& cell, float* signal, std::uint32_t& emit) {
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
    const __mmask16 evaluated =
        has_distance & static_cast<__mmask16>(~_mm512_cmp_ps_mask(d, reach, _CMP_GT_OQ)) & finite;

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

/// The pixels of `g` whose centres can lie within a cell's reach (CellPlan::radius_m, per 5° of
/// azimuth offset), with a pixel's margin: the bounding box of the reach's sectors, each the box of
/// its arc's ends, of the compass points within it and of the site. The cell loop needs no pixel
/// outside it (the sweep's pixels are shared by every cell of a source, most reach far in one
/// direction only).
geo::Window reach_window(const CellPlan& cell, const Source& src, const geo::Grid& g) {
    double min_x = 0;
    double max_x = 0;
    double min_y = 0;
    double max_y = 0;
    auto add = [&](double az_deg, double r) {
        const double a = az_deg / kRadToDeg;
        min_x = std::min(min_x, r * std::sin(a));
        max_x = std::max(max_x, r * std::sin(a));
        min_y = std::min(min_y, r * std::cos(a));
        max_y = std::max(max_y, r * std::cos(a));
    };
    for (int b = 0; b < GainTable::kBins; ++b) {
        const double r = cell.radius_m[static_cast<std::size_t>(b)];
        const double a0 = cell.azimuth_deg + 5.0 * b;
        add(a0, r);
        add(a0 + 5.0, r);
        for (double compass = 0; compass < 720; compass += 90) {
            if (compass > a0 && compass < a0 + 5.0) add(compass, r);
        }
    }
    const auto c0 = static_cast<int>(std::floor(g.fcol(src.sweep.x_m + min_x))) - 1;
    const auto c1 = static_cast<int>(std::ceil(g.fcol(src.sweep.x_m + max_x))) + 1;
    const auto r0 = static_cast<int>(std::floor(g.frow(src.sweep.y_m + max_y))) - 1;
    const auto r1 = static_cast<int>(std::ceil(g.frow(src.sweep.y_m + min_y))) + 1;
    return geo::Window{c0, r0, c1 - c0, r1 - r0};
}

/// Where a source's signal is evaluated: the grid's pixels in the main zone, and blocks of
/// `block` × `block` pixels beyond `near_radius_m` (PredictionConfig::far_block_px).
struct Zones {
    geo::Grid coarse;                       ///< one pixel per block, same origin
    std::vector<geo::Window> fine_tiles;
    std::vector<geo::Window> coarse_tiles;
    int block = 1;
    double near_radius_m = std::numeric_limits<double>::infinity();

    Zones(const geo::Grid& grid, int block_px, double near_m) : block(block_px) {
        fine_tiles = grid.tiles();
        if (block > 1) {
            near_radius_m = near_m;
            coarse = grid;
            coarse.resolution_m = grid.resolution_m * block;
            coarse.cols = (grid.cols + block - 1) / block;  // partial blocks at the right and bottom
            coarse.rows = (grid.rows + block - 1) / block;
            coarse.tile_size_px = std::max(1, grid.tile_size_px / block);
            coarse_tiles = coarse.tiles();
        }
    }
    [[nodiscard]] bool has_far() const noexcept { return block > 1; }
    /// Squared distance from (x, y) to the centre of the block holding pixel (col, row).
    [[nodiscard]] double block_d2(int col, int row, double x, double y) const noexcept {
        const double dx = coarse.col_center_x(col / block) - x;
        const double dy = coarse.row_center_y(row / block) - y;
        return dx * dx + dy * dy;
    }
};

/// The part of the grid a sink receives signals for: a tile of the grid (indices Grid::index),
/// or a tile of the far zone's block grid (indices Zones::coarse.index).
struct ZoneTile {
    bool far = false;
    std::size_t tile = 0;
};

/// One thread's evaluation of sources: the sweep, the path loss per pixel shared by the
/// source's cells, then each cell's signal. Scratch memory is kept between sources.
class SourceEvaluator {
public:
    /// For every tile of each zone the source reaches and every cell, calls
    /// `sink(cell, zone_tile, pixels)`, where `pixels(f)` calls f(index, signal in centi-dBm) for
    /// each pixel (or far-zone block) at or above the cell's floor. Returns the number of
    /// cell × pixel signal evaluations.
    template <typename Sink>
    std::size_t evaluate(const Source& src, const Setup& setup, const PredictionInputs& in,
                         const SweepSettings& settings, const Zones& zones, Sink&& sink);

private:
    /// One zone: every point of `g` (the grid or the block grid) in `tiles` within `radius_m`
    /// for which `in_zone(col, row)` holds, on ground `ground_of(col, row)`. With `lazy`, the
    /// sweep is only prepared: the zone's points are wanted, then the rays swept.
    template <typename InZone, typename Ground, typename Sink>
    std::size_t evaluate_zone(const Source& src, const PredictionInputs& in, const geo::Grid& g,
                              std::span<const geo::Window> tiles, bool far, bool lazy, double radius_m, InZone&& in_zone,
                              Ground&& ground_of, Sink& sink);

    RadialSweep m_sweep;
    ItmRays m_itm;
    std::vector<radio::itm::Params> m_itm_params;  ///< per ITM band of the source
    std::vector<std::size_t> m_itm_slot;          ///< per band: its index in m_itm_params, or npos
    std::vector<float> m_itm_loss;                ///< [ITM band][window pixel], dB
    std::vector<std::size_t> m_empirical;         ///< the bands but ITM's: they add terrain diffraction
    std::vector<LossTable> m_loss_tables;
    std::vector<float> m_diff_factor;
    std::vector<float> m_clutter_factor;  ///< per band: the weight of the clutter loss (SPM: Kclutter)
    // Per pixel of a zone's window (evaluate_zone): distance (m; −1: no prediction), azimuth
    // (0 … 360°), ray, ground (m), depression angle seen from the antenna (degrees), and the
    // path loss of each band but ITM's (which has m_itm_loss), [band][pixel], dB.
    std::vector<double> m_wdist;
    std::vector<float> m_waz;
    std::vector<int> m_wray;
    std::vector<float> m_wground;
    std::vector<float> m_wdep;
    std::vector<float> m_wloss;
    std::vector<std::uint32_t> m_ray_start;  ///< per ray: where its pixels start in the m_by_ray_*
    // The window's pixels ray by ray: distance (m), ground (m), index in the window; a ray's run
    // of the first two is what RadialSweep::ray_losses_db reads.
    std::vector<double> m_by_ray_d;
    std::vector<float> m_by_ray_ground;
    std::vector<std::uint32_t> m_by_ray_w;
    std::vector<float> m_ray_loss;            ///< one ray's ray_losses_db: losses, reached
    std::vector<std::uint8_t> m_ray_reached;
    std::vector<geo::Window> m_cell_windows;  ///< per cell of the source: reach_window
    std::vector<double> m_row_d2;             ///< one window row's row_geometry: squared distance,
    std::vector<double> m_row_az;             ///< azimuth (degrees) and distance of each pixel
    std::vector<double> m_row_d;
public:
    std::size_t itm_undefined = 0;  ///< pixel × band where ITM failed (PredictionStats)
};

template <typename Sink>
std::size_t SourceEvaluator::evaluate(const Source& src, const Setup& setup, const PredictionInputs& in,
                                      const SweepSettings& settings, const Zones& zones, Sink&& sink) {
    const geo::Grid& grid = in.grid;
    const PredictionConfig& cfg = in.config;
    SweepSettings swept = settings;
    swept.near_radius_m = zones.near_radius_m;
    swept.far_block_px = zones.block;
    // A source whose bands are all on ITM needs the rays' terrain only, not Bullington's horizons.
    if (std::all_of(src.bands.begin(), src.bands.end(),
                    [&](const auto& b) { return setup.models[b.model].kind == radio::ModelKind::itm; })) {
        swept.method = DiffractionMethod::none;
    }
    const double r = src.sweep.radius_m;
    // One zone: the sweep finds the horizons only where the zone's pixels ask (RadialSweep::want).
    // Two zones: every sample's (the first zone's pixels are located before the second's).
    const bool two_zones = zones.has_far() && r > zones.near_radius_m;
    if (two_zones) {
        m_sweep.run(src.sweep, grid, in.dem_m, swept);
    } else {
        m_sweep.prepare(src.sweep, grid, swept);
    }
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
    const double x0 = src.sweep.x_m;
    const double y0 = src.sweep.y_m;
    const double near2 = zones.near_radius_m * zones.near_radius_m;
    if (!two_zones) {
        return evaluate_zone(
            src, in, grid, zones.fine_tiles, false, true, r, [](int, int) { return true; },
            [&](int col, int row) { return in.dem_m[grid.index(col, row)]; }, sink);
    }
    // Main zone: the pixels of the blocks whose centre is within the near radius (a block is
    // wholly in one zone, so that every pixel is evaluated once).
    const double half_diagonal = zones.block * grid.resolution_m * std::numbers::sqrt2 / 2;
    std::size_t evaluated = evaluate_zone(
        src, in, grid, zones.fine_tiles, false, false, std::min(r, zones.near_radius_m + half_diagonal),
        [&](int col, int row) { return zones.block_d2(col, row, x0, y0) <= near2; },
        [&](int col, int row) { return in.dem_m[grid.index(col, row)]; }, sink);
    // Far zone: one point per block at its centre, on the DEM there (the centre pixel for odd
    // blocks; partial edge blocks take the nearest point of the grid).
    const geo::Grid& cg = zones.coarse;
    evaluated += evaluate_zone(
        src, in, cg, zones.coarse_tiles, true, false, r,
        [&](int col, int row) {
            const double dx = cg.col_center_x(col) - x0;
            const double dy = cg.row_center_y(row) - y0;
            return dx * dx + dy * dy > near2;
        },
        [&](int col, int row) {
            const double fc = std::min(grid.fcol(cg.col_center_x(col)), grid.cols - 0.5);
            const double fr = std::min(grid.frow(cg.row_center_y(row)), grid.rows - 0.5);
            return static_cast<float>(geo::sample_bilinear(grid, in.dem_m, fc, fr));
        },
        sink);
    return evaluated;
}

template <typename InZone, typename Ground, typename Sink>
std::size_t SourceEvaluator::evaluate_zone(const Source& src, const PredictionInputs& in, const geo::Grid& g,
                                           std::span<const geo::Window> tiles, bool far, bool lazy, double r,
                                           InZone&& in_zone, Ground&& ground_of, Sink& sink) {
    const PredictionConfig& cfg = in.config;
    const double hts = src.sweep.ground_m + src.sweep.height_agl_m;
    const auto c0 = static_cast<int>(std::floor(g.fcol(src.sweep.x_m - r)));
    const auto c1 = static_cast<int>(std::ceil(g.fcol(src.sweep.x_m + r)));
    const auto r0 = static_cast<int>(std::floor(g.frow(src.sweep.y_m + r)));
    const auto r1 = static_cast<int>(std::ceil(g.frow(src.sweep.y_m - r)));
    const geo::Window window = geo::Window{c0, r0, c1 - c0, r1 - r0}.intersect(g.full());
    std::size_t evaluated = 0;
    m_cell_windows.clear();
    for (const CellPlan& cell : src.cells) m_cell_windows.push_back(reach_window(cell, src, g).intersect(window));
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
        if (d2 > r * r || !in_zone(col, row)) return false;
        at.azimuth_deg = m_row_az[i];
        at.az_deg = at.azimuth_deg < 0 ? at.azimuth_deg + 360.0 : at.azimuth_deg;
        const auto bin = std::min(static_cast<int>(at.az_deg / 5.0), GainTable::kBins - 1);
        const double reach = src.sweep.radius_by_bin_m[static_cast<std::size_t>(bin)];
        if (d2 > reach * reach) return false;
        at.ground = ground_of(col, row);
        if (!std::isfinite(at.ground)) return false;
        at.d = m_row_d[i];
        at.ray = m_sweep.ray_of(at.azimuth_deg / kRadToDeg);
        return m_sweep.reaches(at.ray, at.d);
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
    m_ray_start.assign(static_cast<std::size_t>(m_sweep.rays()) + 1, 0);
    if (!m_itm_params.empty()) m_itm.reset(m_sweep);
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
            const int first = std::max(
                window.col0, static_cast<int>(std::floor(g.fcol(src.sweep.x_m - half_chord) - 0.5)) - 1);
            const int end = std::min(window.col_end(),
                                     static_cast<int>(std::ceil(g.fcol(src.sweep.x_m + half_chord) - 0.5)) + 2);
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
                if (lazy) m_sweep.want(at.ray, at.d);
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
            m_sweep.ray_losses_db(ray, std::span(m_by_ray_d).subspan(e0, n), std::span(m_by_ray_ground).subspan(e0, n),
                                  m_ray_loss, m_ray_reached);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t e = e0 + i;
            const std::uint32_t w = m_by_ray_w[e];
            if (diffraction ? m_ray_reached[i] == 0 : !m_sweep.reaches(ray, m_by_ray_d[e])) {
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
    if (lazy) {
        m_sweep.sweep(in.grid, in.dem_m, visit);
    } else {
        for (int ray = 0; ray < m_sweep.rays(); ++ray) visit(ray);
    }
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
        itm_undefined += m_itm.evaluate(m_sweep, m_itm_params, wsize, m_itm_loss);
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
        // time where the CPU has AVX-512 (cell_signals_avx512: the same numbers).
        for (std::size_t c = 0; c < src.cells.size(); ++c) {
            const CellPlan& cell = src.cells[c];
            const geo::Window cw = sub.intersect(m_cell_windows[c]);
            if (cw.empty()) continue;
            const std::size_t slot = m_itm_slot[cell.band];
            const float* pl = slot != kNoSlot ? &m_itm_loss[slot * wsize] : &m_wloss[cell.band * wsize];
            sink(cell, ZoneTile{far, t}, [&](auto&& emit) {
                // A signal at or above the floor, in centi-dBm (the accumulators' unit).
                auto emit_dbm = [&](int col, int row, float signal) {
                    emit(g.index(col, row), static_cast<std::int16_t>(round_half_away(signal * 100.0f)));
                };
                for (int row = cw.row0; row < cw.row_end(); ++row) {
                    int col = cw.col0;
#if PHUSONG_HAVE_AVX2_KERNELS
                    if (avx512) {
                        for (; col + 16 <= cw.col_end(); col += 16) {
                            const std::size_t w =
                                static_cast<std::size_t>(row - window.row0) * wcols + (col - window.col0);
                            std::array<float, 16> signal;
                            std::uint32_t to_emit = 0;
                            evaluated += static_cast<std::size_t>(std::popcount(cell_signals_avx512(
                                &m_wdist[w], &m_waz[w], &m_wdep[w], &pl[w], cell, signal.data(), to_emit)));
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
                        float offset = m_waz[w] - cell.azimuth_deg;
                        if (offset < 0) offset += 360.0f;
                        const auto bin = std::min(static_cast<int>(offset / 5.0f), GainTable::kBins - 1);
                        if (static_cast<float>(m_wdist[w]) > cell.radius_m[static_cast<std::size_t>(bin)] ||
                            !std::isfinite(pl[w])) {
                            continue;
                        }
                        const float signal = cell.power_dbm + cell.gain->gain_dbi_within_turn(offset, m_wdep[w]) - pl[w];
                        ++evaluated;
                        if (signal < cell.floor_dbm) continue;
                        emit_dbm(col, row, signal);
                    }
                }
            });
        }
    }
    return evaluated;
}

}  // namespace

AntennaCatalogue load_antennas(const std::map<std::string, AntennaSpec>& specs,
                               const sites::SiteTable& table,
                               const std::filesystem::path& scenario_file) {
    ProblemList problems;
    AntennaCatalogue out;
    for (const auto& [name, spec] : specs) {
        try {
            if (spec.msi_file) {
                // A pattern file is a few kilobytes (two sections of 360 lines); the bound stops
                // a wrong path early. read_input_file refuses FIFOs and devices.
                constexpr std::uintmax_t kMaxPatternBytes = 4u << 20;
                std::string text;
                try {
                    text = read_input_file(*spec.msi_file, kMaxPatternBytes, "antenna pattern file");
                } catch (const InputError& e) {
                    for (const auto& p : e.problems()) problems.add(p.file, p.where, p.message);
                    continue;
                }
                out[name] = std::make_shared<const radio::AntennaPattern>(
                    radio::AntennaPattern::from_msi(radio::parse_msi(text)));
            } else {
                out[name] = std::make_shared<const radio::AntennaPattern>(
                    radio::AntennaPattern::sector(spec.sector));
            }
        } catch (const std::invalid_argument& e) {
            problems.add(spec.msi_file ? spec.msi_file->string() : scenario_file.string(),
                         spec.msi_file ? "" : "key antennas." + name, e.what());
        }
    }
    std::map<std::string, std::vector<std::size_t>> unknown;
    for (const auto& c : table.cells) {
        // An antenna of the catalogue whose pattern file failed is reported above, not as unknown.
        if (specs.find(c.antenna) == specs.end()) unknown[c.antenna].push_back(c.row);
    }
    for (const auto& [name, rows] : unknown) {
        std::string list;
        for (std::size_t i = 0; i < rows.size() && i < 5; ++i) list += (i ? ", " : "") + std::to_string(rows[i]);
        if (rows.size() > 5) list += ", … (" + std::to_string(rows.size()) + " rows)";
        problems.add(table.file, "row " + list + ", field antenna",
                     "antenna \"" + name + "\" is not in the scenario's antenna catalogue: add [antennas." +
                         name + "] to " + scenario_file.filename().string());
    }
    problems.throw_if_any();
    return out;
}

PredictionStats predict(const PredictionInputs& in, const std::function<void(LayerResult&&)>& on_layer) {
    const geo::Grid& grid = in.grid;
    const PredictionConfig& cfg = in.config;
    const sites::SiteTable& table = in.table;
    const Setup setup = make_setup(in, -std::numeric_limits<double>::infinity(), true);
    PredictionStats stats;
    stats.sources = setup.sources.size();
    stats.cells = table.cells.size();
    stats.model_warnings = setup.model_warnings;
    for (const auto& src : setup.sources) {
        stats.max_radius_m = std::max(stats.max_radius_m, src.sweep.radius_m);
        stats.mean_radius_m += src.sweep.radius_m;
    }
    stats.mean_radius_m /= static_cast<double>(std::max<std::size_t>(1, setup.sources.size()));
    stats.site_sources.assign(table.sites.size(), 0);
    stats.site_radius_sum_m.assign(table.sites.size(), 0.0);
    stats.site_radius_max_m.assign(table.sites.size(), 0.0);
    for (const auto& src : setup.sources) {
        ++stats.site_sources[src.site];
        stats.site_radius_sum_m[src.site] += src.sweep.radius_m;
        stats.site_radius_max_m[src.site] = std::max(stats.site_radius_max_m[src.site], src.sweep.radius_m);
    }

    const SweepSettings settings = SweepSettings::of(cfg);
    const Zones zones(grid, cfg.far_block_px, cfg.near_radius_m);
    std::atomic<std::size_t> evaluations{0};
    tbb::enumerable_thread_specific<SourceEvaluator> evaluators;

    // Operator by operator: an operator's sources only feed its own layers.
    std::vector<std::string> operators;
    for (const auto& l : table.layers) {
        if (std::find(operators.begin(), operators.end(), l.operator_name) == operators.end()) {
            operators.push_back(l.operator_name);
        }
    }
    for (const std::string& op : operators) {
        std::map<std::size_t, std::unique_ptr<LayerAccumulator>> acc;
        std::map<std::size_t, std::unique_ptr<LayerAccumulator>> far_acc;  // far-zone blocks
        for (std::size_t l = 0; l < table.layers.size(); ++l) {
            if (table.layers[l].operator_name == op) {
                acc[l] = std::make_unique<LayerAccumulator>(grid.pixel_count(), zones.fine_tiles.size());
                if (zones.has_far()) {
                    far_acc[l] = std::make_unique<LayerAccumulator>(zones.coarse.pixel_count(),
                                                                    zones.coarse_tiles.size());
                }
            }
        }
        std::vector<const Source*> mine;
        for (const auto& s : setup.sources) {
            if (s.operator_name == op) mine.push_back(&s);
        }
        Progress progress("predict " + op, mine.size());
        parallel_for(std::size_t{0}, mine.size(), [&](std::size_t si) {
            throw_if_interrupted();
            evaluations += evaluators.local().evaluate(
                *mine[si], setup, in, settings, zones, [&](const CellPlan& cell, ZoneTile zt, auto&& pixels) {
                    LayerAccumulator& a = zt.far ? *far_acc.at(cell.layer) : *acc.at(cell.layer);
                    const auto cell_index = static_cast<std::int32_t>(cell.cell);
                    std::lock_guard lock(a.tile_locks[zt.tile]);
                    pixels([&](std::size_t i, std::int16_t q) { a.merge(i, q, cell_index); });
                });
            progress.advance();
        });
        progress.finish();

        // Final maps of the operator's layers.
        for (auto& entry : acc) {
            const auto l = entry.first;
            auto& a = entry.second;
            if (zones.has_far()) {
                a->absorb_blocks(*far_acc.at(l), grid, zones.coarse, zones.block);
                far_acc.at(l).reset();
            }
            const sites::Layer& layer = table.layers[l];
            LayerResult res;
            res.name = layer.name;
            res.layer = l;
            res.tech = layer.tech;
            res.signal = signal_name(layer.tech);
            res.model = setup.models[setup.layer_model[l]];
            res.floor_dbm = floor_for(layer.tech, cfg);
            const bool lte_nr = layer.tech == radio::Technology::lte || layer.tech == radio::Technology::nr;
            res.noise_dbm = radio::noise_power_dbm(layer.tech, layer.tech == radio::Technology::nr ? cfg.nr_scs_khz : 15,
                                                   cfg.noise_figure_db);
            const double noise_mw = std::pow(10.0, res.noise_dbm / 10.0);
            const std::size_t np = grid.pixel_count();
            res.best_dbm.assign(np, kNaN);
            res.second_dbm.assign(np, kNaN);
            res.n_within_6db.assign(np, 0);
            res.server = std::move(a->server);
            if (lte_nr) {
                res.sinr_db.assign(np, kNaN);
                res.throughput_mbps.assign(np, kNaN);
            }
            // Pixel by pixel, each on its own: in parallel, chunk by chunk.
            constexpr std::size_t kChunk = std::size_t{1} << 16;
            parallel_for(std::size_t{0}, (np + kChunk - 1) / kChunk, [&](std::size_t chunk) {
                for (std::size_t i = chunk * kChunk; i < std::min(np, (chunk + 1) * kChunk); ++i) {
                    const auto& t = a->top[i];
                    if (t[0] == kNone) continue;
                    res.best_dbm[i] = t[0] / 100.0f;
                    if (t[1] != kNone) res.second_dbm[i] = t[1] / 100.0f;
                    std::uint8_t n6 = 0;
                    for (std::int16_t q : t) n6 += static_cast<std::uint8_t>(q != kNone && q >= t[0] - 600);
                    res.n_within_6db[i] = n6;
                    if (lte_nr) {
                        const std::int64_t s = power_units(t[0]);
                        const double s_mw = static_cast<double>(s) * 1e-16;
                        const double i_mw = static_cast<double>(a->power_sum[i] - s) * 1e-16 * cfg.load;
                        const double sinr = 10.0 * std::log10(s_mw / (i_mw + noise_mw));
                        res.sinr_db[i] = static_cast<float>(sinr);
                        const double bw = table.cells[static_cast<std::size_t>(res.server[i])].bandwidth_mhz;
                        res.throughput_mbps[i] = static_cast<float>(radio::downlink_throughput(sinr, bw).throughput_mbps);
                    }
                }
            });
            a.reset();
            on_layer(std::move(res));
        }
    }
    stats.pixel_evaluations = evaluations.load();
    for (const SourceEvaluator& e : evaluators) stats.itm_undefined += e.itm_undefined;
    if (stats.itm_undefined > 0) {
        spdlog::warn("ITM is not defined at {} pixel × band pairs, which get no signal: the surface "
                     "refractivity N_s = N_0·exp(−h/9460) of a path is outside 150–400 N-units (a high n0 "
                     "over ground below sea level) or the ground constants do not suit the frequency",
                     stats.itm_undefined);
    }
    return stats;
}

std::vector<Footprint> site_footprints(const PredictionInputs& in, double threshold_dbm) {
    const Setup setup = make_setup(in, threshold_dbm, false);
    const SweepSettings settings = SweepSettings::of(in.config);
    // Footprints are for planning on a demand grid that is itself coarse: no far zone.
    const Zones zones(in.grid, 1, 0.0);
    tbb::enumerable_thread_specific<SourceEvaluator> evaluators;
    // Each source's (pixel, signal) pairs, then per site the strongest per pixel.
    std::vector<std::vector<std::pair<std::uint32_t, std::int16_t>>> hits(setup.sources.size());
    parallel_for(std::size_t{0}, setup.sources.size(), [&](std::size_t si) {
        throw_if_interrupted();
        auto& out = hits[si];
        evaluators.local().evaluate(setup.sources[si], setup, in, settings, zones,
                                    [&](const CellPlan& /*cell*/, ZoneTile /*tile*/, auto&& pixels) {
                                        pixels([&](std::size_t i, std::int16_t q) {
                                            out.emplace_back(static_cast<std::uint32_t>(i), q);
                                        });
                                    });
    });
    std::vector<Footprint> footprints(in.table.sites.size());
    std::vector<std::vector<std::size_t>> by_site(in.table.sites.size());
    for (std::size_t si = 0; si < setup.sources.size(); ++si) by_site[setup.sources[si].site].push_back(si);
    parallel_for(std::size_t{0}, by_site.size(), [&](std::size_t s) {
        Footprint& f = footprints[s];
        std::size_t count = 0;
        std::uint32_t first = std::numeric_limits<std::uint32_t>::max();
        std::uint32_t last = 0;
        for (std::size_t si : by_site[s]) {
            count += hits[si].size();
            for (const auto& [pixel, q] : hits[si]) {
                first = std::min(first, pixel);
                last = std::max(last, pixel);
            }
        }
        if (count == 0) return;
        // The strongest signal per pixel, in ascending pixel order: the pairs come tile by tile
        // and cell by cell, so through a dense array of maxima over the span of pixel indices
        // they touch (for a site's disc, its rows: a few times the number of pairs).
        std::vector<std::int16_t> best(static_cast<std::size_t>(last - first) + 1, kNone);
        for (std::size_t si : by_site[s]) {
            for (const auto& [pixel, q] : hits[si]) {
                std::int16_t& b = best[pixel - first];
                b = std::max(b, q);
            }
        }
        f.pixels.reserve(count);
        f.signal_dbm.reserve(count);
        for (std::size_t k = 0; k < best.size(); ++k) {
            if (best[k] == kNone) continue;
            f.pixels.push_back(first + static_cast<std::uint32_t>(k));
            f.signal_dbm.push_back(best[k] / 100.0f);
        }
    });
    return footprints;
}

}  // namespace phusong::coverage
