// The accumulator: per-layer classes and statistics as layers arrive, union views at the end.


#include <algorithm>
#include <cmath>
#include <limits>

#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/parallel.hpp"

namespace phusong::analysis {
namespace {

constexpr std::int16_t kNoSignal = std::numeric_limits<std::int16_t>::min();

bool has_quality_maps(radio::Technology t) { return t == radio::Technology::lte || t == radio::Technology::nr; }

}  // namespace

Accumulator::Accumulator(AnalysisInputs inputs) : m_in(std::move(inputs)) {
    const std::size_t n = m_in.grid.pixel_count();
    if (m_in.population.size() != n || m_in.aoi_mask.size() != n) {
        throw InternalError("analysis: population or AOI mask does not match the grid");
    }
    if (m_in.admin != nullptr && m_in.admin->unit_of_pixel.size() != n) {
        throw InternalError("analysis: admin units do not match the grid");
    }
    m_views = make_views(m_in.layers);
    const AnalysisConfig& c = m_in.config;
    // Thresholds from the highest down; a count, not repeated addition, so no drift.
    const int steps = static_cast<int>(std::floor((c.sensitivity_max_dbm - c.sensitivity_min_dbm) / c.sensitivity_step_db + 1e-9));
    for (int k = 0; k <= steps; ++k) m_sensitivity_dbm.push_back(c.sensitivity_max_dbm - k * c.sensitivity_step_db);
    m_results.resize(m_views.size());
    m_gaps.resize(m_views.size());
    m_unions.resize(m_views.size());
    m_added.assign(m_in.layers.size(), false);
    m_cells.resize(m_in.cells.size());
    m_layer_cells.resize(m_in.layers.size());
    m_position.resize(m_in.cells.size());
    for (std::size_t k = 0; k < m_in.cells.size(); ++k) {
        const std::size_t l = m_in.cells[k].layer;
        if (l >= m_in.layers.size()) throw InternalError("analysis: cell " + m_in.cells[k].cell_id + " has no layer");
        m_position[k] = m_layer_cells[l].size();
        m_layer_cells[l].push_back(k);
    }
}

ViewResult Accumulator::stats_of(std::size_t view, std::span<const std::uint8_t> classes,
                                 const std::function<float(std::size_t)>& signal) const {
    ViewResult r;
    r.view = m_views[view];
    const std::size_t n_units = m_in.admin != nullptr ? m_in.admin->names.size() : 0;
    r.units.assign(n_units, {});
    // Sensitivity is about RSRP: LTE and NR views only.
    const bool sensitivity = r.view.signal == "RSRP";
    if (sensitivity) r.sensitivity_people.assign(m_sensitivity_dbm.size(), 0.0);
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const std::uint8_t c = classes[i];
        if (c == kOutside) continue;
        const float p = m_in.population[i];
        const double people = std::isfinite(p) ? p : 0.0;  // nodata: area counts, nobody lives there
        r.aoi.population[c] += people;
        r.aoi.pixels[c] += 1;
        if (n_units > 0) {
            const std::int32_t u = m_in.admin->unit_of_pixel[i];
            if (u >= 0) {
                r.units[static_cast<std::size_t>(u)].population[c] += people;
                r.units[static_cast<std::size_t>(u)].pixels[c] += 1;
            }
        }
        if (sensitivity && people > 0) {
            const double s = signal(i);
            for (std::size_t k = 0; k < m_sensitivity_dbm.size(); ++k) {
                if (s >= m_sensitivity_dbm[k]) r.sensitivity_people[k] += people;
            }
        }
    }
    return r;
}

std::vector<std::uint8_t> Accumulator::add_layer(std::size_t layer, const LayerData& data) {
    if (layer >= m_in.layers.size()) throw InternalError("analysis: unknown layer index");
    const LayerInfo& info = m_in.layers[layer];
    const std::size_t n = m_in.grid.pixel_count();
    const bool quality = has_quality_maps(info.tech);
    if (data.best_dbm.size() != n || (quality && (data.sinr_db.size() != n || data.throughput_mbps.size() != n))) {
        throw InternalError("analysis: layer " + info.name + " does not match the grid");
    }
    const ClassThresholds& t = m_in.config.thresholds[static_cast<std::size_t>(info.tech)];
    std::vector<std::uint8_t> classes(n, kOutside);
    std::vector<std::uint8_t> causes(n, kCauseNoServer);
    for (std::size_t i = 0; i < n; ++i) {
        if (m_in.aoi_mask[i] == 0) continue;
        const std::optional<float> sinr = quality ? std::optional<float>(data.sinr_db[i]) : std::nullopt;
        const std::optional<float> tput = quality ? std::optional<float>(data.throughput_mbps[i]) : std::nullopt;
        classes[i] = classify(t, data.best_dbm[i], sinr, tput);
        if (classes[i] == kNone) causes[i] = uncovered_cause(t, data.best_dbm[i], sinr, tput);
    }
    ViewResult stats = stats_of(layer, classes, [&](std::size_t i) { return data.best_dbm[i]; });
    std::vector<CellStats> cells;
    if (!data.server.empty()) cells = cell_stats(layer, data);
    std::vector<Gap> gaps = gaps_of(layer, classes, data.best_dbm, causes);

    std::lock_guard lock(m_mutex);
    if (m_added[layer]) throw InternalError("analysis: layer " + info.name + " added twice");
    m_added[layer] = true;
    m_results[layer] = std::move(stats);
    m_gaps[layer] = std::move(gaps);
    for (std::size_t k = 0; k < cells.size(); ++k) m_cells[m_layer_cells[layer][k]] = cells[k];
    // Unions: the class is the best of the members', the signal the strongest (max commutes, so
    // the order layers arrive in does not matter).
    for (std::size_t v = m_in.layers.size(); v < m_views.size(); ++v) {
        const auto& members = m_views[v].layers;
        if (std::find(members.begin(), members.end(), layer) == members.end()) continue;
        UnionState& u = m_unions[v];
        if (u.classes.empty()) {
            u.classes.assign(n, kNone);
            u.best_cdbm.assign(n, kNoSignal);
            u.causes.assign(n, kCauseNoServer);
        }
        for (std::size_t i = 0; i < n; ++i) {
            u.classes[i] = classes[i] == kOutside ? std::uint8_t{kOutside} : std::max(u.classes[i], classes[i]);
            if (classes[i] == kNone) u.causes[i] = std::max(u.causes[i], causes[i]);
            const float s = data.best_dbm[i];
            if (std::isfinite(s)) {
                const auto cdbm = static_cast<std::int16_t>(std::clamp(std::lround(s * 100.0), -32767L, 32767L));
                u.best_cdbm[i] = std::max(u.best_cdbm[i], cdbm);
            }
        }
    }
    return classes;
}

std::vector<CellStats> Accumulator::cell_stats(std::size_t layer, const LayerData& data) const {
    // The best-server area of each cell of the layer, inside the AOI: pixel count, people, and the
    // sums behind the mean signal and mean SINR. The mean is over dB values, as planning tools
    // report a cell's mean RSRP and SINR over its serving area (a mean of powers would be set by
    // the few pixels next to the mast).
    struct Sums {
        std::uint64_t pixels = 0;
        double people = 0;
        double signal = 0;
        std::uint64_t signal_pixels = 0;
        double sinr = 0;
        std::uint64_t sinr_pixels = 0;
    };
    const std::size_t n = m_in.grid.pixel_count();
    if (data.server.size() != n) {
        throw InternalError("analysis: best-server raster of layer " + m_in.layers[layer].name + " does not match the grid");
    }
    const bool quality = !data.sinr_db.empty();
    std::vector<Sums> sums(m_layer_cells[layer].size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t s = data.server[i];
        if (s < 0 || m_in.aoi_mask[i] == 0) continue;
        const auto cell = static_cast<std::size_t>(s);
        if (cell >= m_in.cells.size() || m_in.cells[cell].layer != layer) {
            throw InternalError("analysis: best server " + std::to_string(s) + " of layer " + m_in.layers[layer].name +
                                " is not one of its cells");
        }
        Sums& c = sums[m_position[cell]];
        c.pixels += 1;
        const float p = m_in.population[i];
        if (std::isfinite(p)) c.people += p;
        if (std::isfinite(data.best_dbm[i])) {
            c.signal += data.best_dbm[i];
            c.signal_pixels += 1;
        }
        if (quality && std::isfinite(data.sinr_db[i])) {
            c.sinr += data.sinr_db[i];
            c.sinr_pixels += 1;
        }
    }
    const double px_km2 = m_in.grid.pixel_area_m2() / 1e6;
    std::vector<CellStats> out(sums.size());
    for (std::size_t k = 0; k < sums.size(); ++k) {
        const Sums& c = sums[k];
        CellStats& r = out[k];
        r.pixels = c.pixels;
        r.area_km2 = static_cast<double>(c.pixels) * px_km2;
        r.people = c.people;
        if (c.signal_pixels > 0) r.mean_signal_dbm = c.signal / static_cast<double>(c.signal_pixels);
        if (c.sinr_pixels > 0) r.mean_sinr_db = c.sinr / static_cast<double>(c.sinr_pixels);
    }
    return out;
}

std::span<const std::uint8_t> Accumulator::union_classes(std::size_t view) const {
    if (view >= m_unions.size() || m_unions[view].classes.empty()) {
        throw InternalError("analysis: no class raster for view " + std::to_string(view));
    }
    return m_unions[view].classes;
}

AnalysisResult Accumulator::finish() {
    for (std::size_t l = 0; l < m_added.size(); ++l) {
        if (!m_added[l]) throw InternalError("analysis: layer " + m_in.layers[l].name + " was never added");
    }
    const std::size_t first_union = m_in.layers.size();
    parallel_for(first_union, m_views.size(), [&](std::size_t v) {
        const UnionState& u = m_unions[v];
        std::vector<float> signal(u.best_cdbm.size());
        for (std::size_t i = 0; i < signal.size(); ++i) {
            signal[i] = u.best_cdbm[i] == kNoSignal ? std::numeric_limits<float>::quiet_NaN()
                                                    : static_cast<float>(u.best_cdbm[i] / 100.0);
        }
        m_results[v] = stats_of(v, u.classes, [&](std::size_t i) { return signal[i]; });
        m_gaps[v] = gaps_of(v, u.classes, signal, u.causes);
    });

    AnalysisResult r;
    r.sensitivity_dbm = m_sensitivity_dbm;
    r.pixel_area_km2 = m_in.grid.pixel_area_m2() / 1e6;
    const std::size_t n_units = m_in.admin != nullptr ? m_in.admin->names.size() : 0;
    r.unit_population.assign(n_units, 0.0);
    r.unit_pixels.assign(n_units, 0);
    for (std::size_t i = 0; i < m_in.aoi_mask.size(); ++i) {
        if (m_in.aoi_mask[i] == 0) continue;
        const float p = m_in.population[i];
        const double people = std::isfinite(p) ? p : 0.0;
        r.aoi_population += people;
        r.aoi_pixels += 1;
        const std::int32_t u = n_units > 0 ? m_in.admin->unit_of_pixel[i] : -1;
        if (u >= 0) {
            r.unit_population[static_cast<std::size_t>(u)] += people;
            r.unit_pixels[static_cast<std::size_t>(u)] += 1;
        } else {
            r.unassigned_population += people;
            r.unassigned_pixels += 1;
        }
    }
    for (auto& v : m_results) r.views.push_back(std::move(*v));
    r.cell_info = m_in.cells;
    r.cells = m_cells;
    for (auto& g : m_gaps) {
        for (auto& gap : g) r.gaps.push_back(std::move(gap));
    }
    // Most people first; ties by area, view and position, so the order is total and stable.
    std::stable_sort(r.gaps.begin(), r.gaps.end(), [](const Gap& a, const Gap& b) {
        if (a.population != b.population) return a.population > b.population;
        if (a.pixels != b.pixels) return a.pixels > b.pixels;
        if (a.view != b.view) return a.view < b.view;
        return a.first_pixel < b.first_pixel;
    });
    const int width = std::max<int>(4, static_cast<int>(std::to_string(r.gaps.size()).size()));
    for (std::size_t k = 0; k < r.gaps.size(); ++k) {
        std::string num = std::to_string(k + 1);
        r.gaps[k].id = "gap-" + std::string(static_cast<std::size_t>(width) - num.size(), '0') + num;
    }
    return r;
}

}  // namespace phusong::analysis
