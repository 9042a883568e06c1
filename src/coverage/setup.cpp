// The prediction's set-up: model overrides and bandwidths checked, warnings worded for the user,
// the antenna catalogue read, and the sources with every cell's reach (setup.hpp).
#include "setup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <set>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/radio/pathloss.hpp"

namespace phusong::coverage {
namespace detail {

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

// Empirical loss factor of the diffraction term in path_loss_db (linear in it: SPM weighs it
// by K4, the other models by diffraction_weight).
double diffraction_factor(const radio::ModelConfig& m) {
    return m.kind == radio::ModelKind::spm ? m.spm.k4 : m.diffraction_weight;
}

// Median loss without terrain (dB) at distance d_m; with LosMode::terrain the lower of the LOS
// and NLOS branches, since the sweep decides which applies.
double empirical_db(const radio::ModelConfig& m, double d_m, double freq_mhz, double h_tx_m, double h_rx_m,
                    bool los) {
    return radio::path_loss_db(m, {std::max(d_m, 1.0), freq_mhz, h_tx_m, h_rx_m, 0.0, 0.0, los});
}

}  // namespace detail

namespace {

using namespace detail;

constexpr double kRadToDeg = 180.0 / std::numbers::pi;

constexpr double kReachStep_m = 250.0;

/// A cell's reach per 5° bin of azimuth offset: the end of the last 250 m ring where the signal
/// can still reach the floor. On the ring (d0, d0 + 250 m] the loss is at least the empirical loss
/// at d0 (it grows with distance and terrain only adds to it) and the gain at most the bin's
/// largest gain for depressions up to the steepest a pixel can be seen at from d0 (the lowest
/// ground of the area), so beyond the reach no pixel is above the floor.
std::array<float, GainTable::kBins> cell_reach(const CellPlan& cell, std::span<const double> ring_loss_db,
                                               double hts_m, double lowest_rx_m, double max_m, double floor_dbm) {
    std::array<float, GainTable::kBins> reach{};
    for (int b = 0; b < GainTable::kBins; ++b) {
        double r = kReachStep_m;
        for (std::size_t j = 1; j < ring_loss_db.size(); ++j) {
            const double d0 = (j - 1) * kReachStep_m;
            const auto dep = static_cast<float>(std::atan2(hts_m - lowest_rx_m, std::max(d0, 1.0)) * kRadToDeg);
            if (cell.power_dbm + cell.gain->max_gain_dbi(b, dep) - ring_loss_db[j - 1] >= floor_dbm) {
                r = static_cast<double>(j) * kReachStep_m;
            }
        }
        reach[static_cast<std::size_t>(b)] = static_cast<float>(std::min(r, max_m));
    }
    return reach;
}

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
    if (any_itm && cfg.far_block_px > 1 && cfg.zones == ZoneMode::distance) {
        // tools/sweep_accuracy on the demo (docs/models/itm.md): far_block_px = 3 gives a
        // 95th percentile of 10 dB with ITM (5 dB with Bullington).
        out.push_back("prediction.far_block_px = " + std::to_string(cfg.far_block_px) +
                      " with ITM: one ITM value per block is a poor stand-in for its pixels (ITM follows the "
                      "receiver's own terrain closely); consider far_block_px = 1");
    }
    return out;
}

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

namespace detail {

Setup make_setup(const PredictionInputs& in, double min_floor_dbm, bool check_overrides, int block_px) {
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
    const bool extended = block_px > 1 && cfg.zones != ZoneMode::exact;
    if (extended && cfg.zones == ZoneMode::thresholds && !in.zone_thresholds_dbm) {
        throw InternalError("predict: zones = thresholds without the thresholds (PredictionInputs::zone_thresholds_dbm)");
    }
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
            plan.tech = c.tech;
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
        src.exact_by_bin_m.assign(GainTable::kBins, 0.0f);
        for (CellPlan& cell : src.cells) {
            cell.radius_m = cell_reach(cell, ring_loss[cell.band], hts, lowest_rx, cfg.max_radius_m, cell.floor_dbm);
            cell.exact_m.fill(std::numeric_limits<float>::infinity());
            if (extended && cfg.zones == ZoneMode::distance) {
                cell.exact_m.fill(static_cast<float>(cfg.near_radius_m));
            } else if (extended) {
                // The exact zone ends where the cell's signal can no longer reach its technology's
                // threshold: the same bound as the reach (cell_reach), at the threshold instead of
                // the floor. A block is wholly exact or wholly extended, decided at its centre:
                // every block holding a pixel within that bound is exact when the bound is widened
                // by the block's half diagonal and taken over the neighbouring bins (a block spans
                // less than ±5° of azimuth beyond 1 km).
                const double threshold = (*in.zone_thresholds_dbm)[static_cast<std::size_t>(cell.tech)];
                if (threshold > cell.floor_dbm) {
                    cell.refine_dbm = static_cast<float>(threshold - cfg.zone_margin_db);
                    const auto bound = cell_reach(cell, ring_loss[cell.band], hts, lowest_rx, cfg.max_radius_m, threshold);
                    const double half_diagonal = block_px * in.grid.resolution_m * std::numbers::sqrt2 / 2;
                    for (int b = 0; b < GainTable::kBins; ++b) {
                        const auto at = [&](int k) {
                            return bound[static_cast<std::size_t>((k + GainTable::kBins) % GainTable::kBins)];
                        };
                        cell.exact_m[static_cast<std::size_t>(b)] =
                            static_cast<float>(std::max({at(b - 1), at(b), at(b + 1)}) + half_diagonal);
                    }
                }
            }
            // Cell bin b spans offsets [5b, 5b + 5): true azimuths cell_az + that, which straddle
            // two true-azimuth bins.
            for (int b = 0; b < GainTable::kBins; ++b) {
                const float r = cell.radius_m[static_cast<std::size_t>(b)];
                const float e = cell.exact_m[static_cast<std::size_t>(b)];
                src.exact_min_m = std::min(src.exact_min_m, e);
                const int first = static_cast<int>(std::floor((cell.azimuth_deg + 5.0f * b) / 5.0f));
                for (int w = first; w <= first + 1; ++w) {
                    const auto bin = static_cast<std::size_t>(((w % GainTable::kBins) + GainTable::kBins) % GainTable::kBins);
                    src.sweep.radius_by_bin_m[bin] = std::max(src.sweep.radius_by_bin_m[bin], r);
                    src.exact_by_bin_m[bin] = std::max(src.exact_by_bin_m[bin], e);
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

}  // namespace detail
}  // namespace phusong::coverage
