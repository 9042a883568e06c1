#include "phusong/planning/plan.hpp"

#include <fmt/format.h>
#include <ogr_api.h>
#include <ogr_geometry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include "phusong/core/error.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::planning {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Existing sites bucketed for "is any site within r" queries (planar, grid CRS).
class SiteBuckets {
public:
    SiteBuckets(std::span<const sites::SitePlacement> sites, double r_m) : m_r(r_m) {
        if (!(m_r > 0)) return;
        for (const auto& s : sites) m_buckets[key(s.x_m, s.y_m)].push_back({s.x_m, s.y_m});
    }
    [[nodiscard]] bool any_within(double x, double y) const {
        if (!(m_r > 0)) return false;
        const auto [bx, by] = key(x, y);
        for (long long dx = -1; dx <= 1; ++dx) {
            for (long long dy = -1; dy <= 1; ++dy) {
                const auto it = m_buckets.find({bx + dx, by + dy});
                if (it == m_buckets.end()) continue;
                for (const auto& p : it->second) {
                    if ((p[0] - x) * (p[0] - x) + (p[1] - y) * (p[1] - y) < m_r * m_r) return true;
                }
            }
        }
        return false;
    }

private:
    [[nodiscard]] std::pair<long long, long long> key(double x, double y) const {
        return {static_cast<long long>(std::floor(x / m_r)), static_cast<long long>(std::floor(y / m_r))};
    }
    double m_r;
    std::map<std::pair<long long, long long>, std::vector<std::array<double, 2>>> m_buckets;
};

}  // namespace

const char* to_string(CandidateKind kind) { return kind == CandidateKind::upgrade ? "upgrade" : "greenfield"; }

const char* to_string(BoundSource source) {
    switch (source) {
        case BoundSource::ilp_optimal: return "ilp_optimal";
        case BoundSource::ilp: return "ilp_bound";
        case BoundSource::lagrangian: return "lagrangian";
        case BoundSource::online: return "online";
        case BoundSource::lagrangian_optimal: return "lagrangian_optimal";
    }
    return "lagrangian";
}

DemandGrid make_demand_grid(const geo::GridInputs& in, double cell_m) {
    const geo::Grid& g = in.grid;
    DemandGrid d;
    d.factor = std::max(1, static_cast<int>(std::lround(cell_m / g.resolution_m)));
    d.grid = g;
    d.grid.resolution_m = g.resolution_m * d.factor;
    d.grid.cols = (g.cols + d.factor - 1) / d.factor;
    d.grid.rows = (g.rows + d.factor - 1) / d.factor;
    const std::size_t n = d.grid.pixel_count();
    d.people.assign(n, 0.0);
    std::vector<double> dem_sum(n, 0.0);
    std::vector<int> dem_count(n, 0);
    for (int r = 0; r < g.rows; ++r) {
        for (int c = 0; c < g.cols; ++c) {
            const std::size_t i = g.index(c, r);
            const std::size_t k = d.grid.index(c / d.factor, r / d.factor);
            const float p = in.population[i];
            if (in.aoi_mask[i] != 0 && std::isfinite(p)) d.people[k] += p;
            const float h = in.dem_m[i];
            if (std::isfinite(h)) {
                dem_sum[k] += h;
                ++dem_count[k];
            }
        }
    }
    d.dem_m.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        d.dem_m[k] = dem_count[k] > 0 ? static_cast<float>(dem_sum[k] / dem_count[k])
                                      : std::numeric_limits<float>::quiet_NaN();
    }
    d.uncovered = d.people;
    return d;
}

void mark_covered(DemandGrid& demand, std::span<const coverage::Footprint> footprints) {
    for (const auto& f : footprints) {
        for (const std::uint32_t k : f.pixels) demand.uncovered.at(k) = 0.0;
    }
}

std::vector<Candidate> upgrade_candidates(const sites::SiteTable& table,
                                          std::span<const sites::SitePlacement> placements,
                                          const PlanConfig& config) {
    std::vector<Candidate> out;
    for (std::size_t s = 0; s < table.sites.size(); ++s) {
        const sites::Site& site = table.sites[s];
        if (config.upgrade_operator && site.operator_name != *config.upgrade_operator) continue;
        Candidate c;
        c.kind = CandidateKind::upgrade;
        c.site = s;
        c.site_id = site.site_id;
        c.operator_name = site.operator_name;
        c.x_m = placements[s].x_m;
        c.y_m = placements[s].y_m;
        c.lon_deg = site.lon_deg;
        c.lat_deg = site.lat_deg;
        c.ground_m = placements[s].ground_m;
        for (const std::size_t cell : site.cells) {
            c.height_agl_m = std::max(c.height_agl_m, table.cells[cell].height_agl_m);
        }
        c.cost = config.upgrade_cost;
        c.in_aoi = placements[s].in_aoi;
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<Candidate> greenfield_candidates(const geo::GridInputs& in, const DemandGrid& demand,
                                             std::span<const sites::SitePlacement> existing,
                                             const PlanConfig& config) {
    const geo::Grid& g = in.grid;
    const double s = config.greenfield_spacing_m;
    // Lattice squares aligned to multiples of the spacing in the grid CRS.
    const auto b = g.bounds();
    const long long sx0 = static_cast<long long>(std::floor(b.min_x / s));
    const long long sy0 = static_cast<long long>(std::floor(b.max_y / s));  // northmost row
    const long long ncols = static_cast<long long>(std::floor(b.max_x / s)) - sx0 + 1;
    const long long nrows = sy0 - static_cast<long long>(std::floor(b.min_y / s)) + 1;
    auto square_of = [&](double x, double y) {
        const long long qx = static_cast<long long>(std::floor(x / s)) - sx0;
        const long long qy = sy0 - static_cast<long long>(std::floor(y / s));
        return static_cast<std::size_t>(qy * ncols + qx);
    };
    const std::size_t nsq = static_cast<std::size_t>(ncols * nrows);
    std::vector<double> people(nsq, 0.0);
    for (int r = 0; r < demand.grid.rows; ++r) {
        for (int c = 0; c < demand.grid.cols; ++c) {
            const double u = demand.uncovered[demand.grid.index(c, r)];
            if (u > 0) people[square_of(demand.grid.col_center_x(c), demand.grid.row_center_y(r))] += u;
        }
    }
    // Highest eligible pixel per square; ties to the first in row-major order.
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::vector<std::size_t> best(nsq, kNone);
    const SiteBuckets near(existing, config.greenfield_min_distance_m);
    for (int r = 0; r < g.rows; ++r) {
        const double y = g.row_center_y(r);
        for (int c = 0; c < g.cols; ++c) {
            const std::size_t i = g.index(c, r);
            if (in.aoi_mask[i] == 0 || !std::isfinite(in.dem_m[i])) continue;
            const double x = g.col_center_x(c);
            const std::size_t q = square_of(x, y);
            if (people[q] < config.greenfield_min_people || !(people[q] > 0)) continue;
            if (best[q] != kNone && !(in.dem_m[i] > in.dem_m[best[q]])) continue;
            if (near.any_within(x, y)) continue;
            best[q] = i;
        }
    }
    std::vector<Candidate> out;
    for (std::size_t q = 0; q < nsq; ++q) {
        if (best[q] == kNone) continue;
        const int col = static_cast<int>(best[q] % static_cast<std::size_t>(g.cols));
        const int row = static_cast<int>(best[q] / static_cast<std::size_t>(g.cols));
        Candidate c;
        c.kind = CandidateKind::greenfield;
        c.site_id = fmt::format("NEW-{:04d}", out.size() + 1);
        c.operator_name = config.operator_name;
        c.x_m = g.col_center_x(col);
        c.y_m = g.row_center_y(row);
        c.ground_m = in.dem_m[best[q]];
        c.height_agl_m = config.greenfield_height_m;
        c.cost = config.greenfield_cost;
        c.in_aoi = true;
        out.push_back(std::move(c));
    }
    return out;
}

void set_lon_lat(std::vector<Candidate>& candidates, const geo::Grid& grid) {
    const OGRSpatialReference from = geo::srs_from_epsg(grid.epsg);
    const OGRSpatialReference to = geo::srs_wgs84();
    const geo::TransformPtr t = geo::make_transform(from, to);
    for (auto& c : candidates) {
        double x = c.x_m;
        double y = c.y_m;
        if (!t->Transform(1, &x, &y)) throw GdalError("cannot transform a candidate to WGS 84");
        c.lon_deg = x;
        c.lat_deg = y;
    }
}

void set_admin_units(std::vector<Candidate>& candidates, const geo::PolygonLayer& admin,
                     const std::string& name_field) {
    std::vector<OGRPreparedGeometryH> prepared;
    for (const auto& f : admin.features) {
        prepared.push_back(OGRCreatePreparedGeometry(OGRGeometry::ToHandle(f.geometry.get())));
    }
    for (auto& c : candidates) {
        OGRPoint p(c.x_m, c.y_m);
        for (std::size_t k = 0; k < prepared.size(); ++k) {
            if (prepared[k] != nullptr && OGRPreparedGeometryContains(prepared[k], OGRGeometry::ToHandle(&p))) {
                const auto it = admin.features[k].fields.find(name_field);
                c.admin_unit = it != admin.features[k].fields.end() ? it->second : "";
                break;
            }
        }
    }
    for (auto h : prepared) OGRDestroyPreparedGeometry(h);
}

CandidateTable candidate_table(std::span<const Candidate> candidates, const PlanConfig& config) {
    CandidateTable out;
    sites::SiteTable& t = out.table;
    t.file = "[plan] candidates";
    sites::Layer layer;
    layer.name = config.operator_name + " NR " + config.band;
    layer.operator_name = config.operator_name;
    layer.tech = radio::Technology::nr;
    layer.band = config.band;
    const int width = std::max<int>(7, static_cast<int>(std::to_string(candidates.size()).size()));
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const Candidate& c = candidates[k];
        sites::Site site;
        site.site_id = fmt::format("P{:0{}d}", k, width);  // sorts in candidate order
        site.operator_name = config.operator_name;
        site.lon_deg = c.lon_deg;
        site.lat_deg = c.lat_deg;
        for (int s = 0; s < config.sectors; ++s) {
            sites::Cell cell;
            cell.site_id = site.site_id;
            cell.cell_id = fmt::format("{}-{}", site.site_id, s + 1);
            cell.operator_name = config.operator_name;
            cell.lon_deg = c.lon_deg;
            cell.lat_deg = c.lat_deg;
            cell.height_agl_m = c.height_agl_m;
            cell.azimuth_deg = std::fmod(config.first_azimuth_deg + 360.0 * s / config.sectors, 360.0);
            cell.mech_tilt_deg = config.mech_tilt_deg;
            cell.elec_tilt_deg = config.elec_tilt_deg;
            cell.tech = radio::Technology::nr;
            cell.band = config.band;
            cell.freq_mhz = config.freq_mhz;
            cell.bandwidth_mhz = config.bandwidth_mhz;
            cell.tx_power_dbm = config.tx_power_dbm;
            cell.antenna = config.antenna;
            cell.row = k + 1;
            cell.layer = 0;
            site.cells.push_back(t.cells.size());
            layer.cells.push_back(t.cells.size());
            t.cells.push_back(std::move(cell));
        }
        t.sites.push_back(std::move(site));
        out.placements.push_back({c.x_m, c.y_m, c.ground_m, c.in_aoi});
    }
    t.layers.push_back(std::move(layer));
    return out;
}

CandidateTable existing_nr_table(const sites::SiteTable& table,
                                 std::span<const sites::SitePlacement> placements) {
    CandidateTable out;
    sites::SiteTable& t = out.table;
    t.file = table.file;
    std::map<std::size_t, std::size_t> layer_map;  // old layer index → new
    for (std::size_t s = 0; s < table.sites.size(); ++s) {
        const sites::Site& site = table.sites[s];
        sites::Site copy = site;
        copy.cells.clear();
        for (const std::size_t ci : site.cells) {
            const sites::Cell& cell = table.cells[ci];
            if (cell.tech != radio::Technology::nr) continue;
            auto [it, inserted] = layer_map.try_emplace(cell.layer, 0);
            (void)inserted;
            copy.cells.push_back(t.cells.size());
            t.cells.push_back(cell);
        }
        if (copy.cells.empty()) continue;
        t.sites.push_back(std::move(copy));
        out.placements.push_back(placements[s]);
    }
    // Layers in the original (sorted) order, re-indexed.
    std::size_t next = 0;
    for (auto& [old, neu] : layer_map) {
        neu = next++;
        sites::Layer l = table.layers[old];
        l.cells.clear();
        t.layers.push_back(std::move(l));
    }
    for (std::size_t ci = 0; ci < t.cells.size(); ++ci) {
        t.cells[ci].layer = layer_map.at(t.cells[ci].layer);
        t.layers[t.cells[ci].layer].cells.push_back(ci);
    }
    return out;
}

void check_plan_antenna(const Scenario& sc) {
    if (sc.antennas.find(sc.plan.antenna) == sc.antennas.end()) {
        std::string known;
        for (const auto& [name, spec] : sc.antennas) known += (known.empty() ? "" : ", ") + name;
        throw InputError(sc.file.string(), "key plan.antenna",
                         "antenna \"" + sc.plan.antenna + "\" is not in the [antennas] catalogue (" +
                             (known.empty() ? std::string("empty") : known) +
                             "): add [antennas." + sc.plan.antenna + "] or name one of them");
    }
}

namespace {

std::vector<coverage::Footprint> footprints_of(const CandidateTable& ct, const DemandGrid& d,
                                               const Scenario& sc) {
    if (ct.table.sites.empty()) return {};
    const coverage::AntennaCatalogue antennas = coverage::load_antennas(sc.antennas, ct.table, sc.file);
    const coverage::PredictionInputs pin{d.grid, d.dem_m, ct.table, ct.placements, sc.prediction, antennas};
    return coverage::site_footprints(pin, sc.plan.coverage_threshold_dbm);
}

}  // namespace

PlanResult run_plan(const PlanInputs& in) {
    const Scenario& sc = in.scenario;
    const PlanConfig& cfg = sc.plan;
    check_plan_antenna(sc);
    PlanResult res;

    // Demand, minus what the existing NR layer covers (same footprint method and threshold).
    auto t0 = std::chrono::steady_clock::now();
    DemandGrid demand = make_demand_grid(in.grid, cfg.demand_cell_m);
    res.demand_cell_m = demand.grid.resolution_m;
    for (const double p : demand.people) res.people_in_aoi += p;
    const CandidateTable existing = existing_nr_table(in.table, in.placements);
    const auto existing_fp = footprints_of(existing, demand, sc);
    mark_covered(demand, existing_fp);
    double uncovered = 0;
    for (std::size_t k = 0; k < demand.people.size(); ++k) {
        uncovered += demand.uncovered[k];
        if (demand.uncovered[k] > 0) ++res.demand_cells;
    }
    res.people_covered_existing = res.people_in_aoi - uncovered;

    // Candidates.
    if (cfg.upgrades) res.candidates = upgrade_candidates(in.table, in.placements, cfg);
    res.upgrades = res.candidates.size();
    if (cfg.greenfield) {
        auto gf = greenfield_candidates(in.grid, demand, in.placements, cfg);
        set_lon_lat(gf, in.grid.grid);
        res.greenfield = gf.size();
        for (auto& c : gf) res.candidates.push_back(std::move(c));
    }
    if (in.admin != nullptr) set_admin_units(res.candidates, *in.admin, sc.inputs.admin_name_field);
    res.candidates_s = seconds_since(t0);
    spdlog::info("plan: {} candidates ({} upgrades, {} greenfield), demand grid {:g} m ({} cells with people to cover)",
                 res.candidates.size(), res.upgrades, res.greenfield, res.demand_cell_m, res.demand_cells);

    // Footprints → the coverage problem over uncovered demand.
    t0 = std::chrono::steady_clock::now();
    const CandidateTable ct = candidate_table(res.candidates, cfg);
    const auto fps = footprints_of(ct, demand, sc);
    if (fps.size() != res.candidates.size()) {
        throw InternalError("site_footprints returned " + std::to_string(fps.size()) + " footprints for " +
                            std::to_string(res.candidates.size()) + " candidates");
    }
    CoverageProblem problem;
    problem.demand = demand.uncovered;
    problem.covers.resize(fps.size());
    problem.cost.resize(fps.size());
    std::vector<std::array<double, 2>> xy(fps.size());
    std::vector<std::uint8_t> any(demand.uncovered.size(), 0);
    for (std::size_t i = 0; i < fps.size(); ++i) {
        for (const std::uint32_t k : fps[i].pixels) {
            if (demand.uncovered[k] > 0) {
                problem.covers[i].push_back(k);
                any[k] = 1;
            }
        }
        res.footprint_cells += problem.covers[i].size();
        problem.cost[i] = res.candidates[i].cost;
        xy[i] = {res.candidates[i].x_m, res.candidates[i].y_m};
    }
    for (std::size_t k = 0; k < any.size(); ++k) {
        if (any[k] != 0) res.people_coverable += demand.uncovered[k];
    }
    problem.conflicts = spacing_conflicts(xy, cfg.min_spacing_m);
    res.footprints_s = seconds_since(t0);

    // Ranking.
    t0 = std::chrono::steady_clock::now();
    GreedyOptions go;
    go.budget_kind = cfg.budget_kind;
    go.budget = cfg.budget;
    go.target_value = std::max(0.0, cfg.target_share * res.people_in_aoi - res.people_covered_existing);
    const GreedyResult greedy = greedy_select(problem, go);
    res.greedy_evaluations = greedy.evaluations;
    for (const RankedPick& p : greedy.ranking) {
        res.ranking.push_back({p.candidate, p.marginal, p.cumulative,
                               res.people_in_aoi > 0 ? (res.people_covered_existing + p.cumulative) / res.people_in_aoi : 0.0,
                               p.cost, p.cumulative_cost});
    }
    res.target_reached = !res.ranking.empty() ? res.ranking.back().covered_share >= cfg.target_share - 1e-12
                                              : res.people_covered_existing >= cfg.target_share * res.people_in_aoi;
    res.greedy_s = seconds_since(t0);

    // Optimality at the ILP budgets: greedy's prefix within each budget against the Lagrangian
    // bound (the budgets at once: each is deterministic, whatever the threads), then CBC on the
    // candidates the Lagrangian test could not fix out (one budget at a time: its time limit is
    // wall time, and two searches would share the cores).
    t0 = std::chrono::steady_clock::now();
    res.bounds.resize(cfg.ilp_budgets.size());
    parallel_for(std::size_t{0}, cfg.ilp_budgets.size(), [&](std::size_t k) {
        PlanBound& pb = res.bounds[k];
        const int b = cfg.ilp_budgets[k];
        pb.budget = b;
        GreedyOptions gb = go;
        gb.budget = b;
        gb.target_value.reset();
        const GreedyResult g = greedy_select(problem, gb);
        pb.greedy_people = g.ranking.empty() ? 0.0 : g.ranking.back().cumulative;
        std::vector<std::uint32_t> greedy_set;
        for (const auto& p : g.ranking) greedy_set.push_back(p.candidate);

        // A better solution than greedy's (swaps, then the Lagrangian heuristic) fixes more.
        LagrangianOptions lo;
        lo.budget_kind = cfg.budget_kind;
        lo.budget = b;
        lo.start = improve_by_swaps(problem, greedy_set, cfg.budget_kind, b).chosen;
        pb.lagrangian = lagrangian_bound(problem, lo);
        pb.online_bound = online_bound(problem, greedy_set, cfg.budget_kind, b);
    });
    for (std::size_t k = 0; k < res.bounds.size(); ++k) {
        PlanBound& pb = res.bounds[k];
        const int b = pb.budget;
        // CBC only where the Lagrangian bound leaves the question open: its best solution and its
        // bound already within ilp_gap of each other answer how far greedy is from the optimum as
        // closely as CBC stopping at that gap would (plan_config.hpp), in a fraction of the time.
        if (pb.lagrangian.bound <= pb.lagrangian.best_value * (1.0 + cfg.ilp_gap)) {
            pb.ilp.status = IlpStatus::not_needed;
            pb.ilp.objective = pb.lagrangian.best_value;
            pb.ilp.chosen = pb.lagrangian.best;
        } else {
            IlpOptions io;
            io.budget_kind = cfg.budget_kind;
            io.budget = b;
            io.time_limit_s = cfg.ilp_time_limit_s;
            io.gap = cfg.ilp_gap;
            io.warm_start = pb.lagrangian.best;
            io.fixed_out = std::move(pb.lagrangian.fixed_out);
            pb.ilp = solve_max_coverage(problem, io);
        }
        pb.lagrangian.fixed_out = {};

        // The tightest valid bound: CBC's optimum or bound (on the reduced problem: valid, as the
        // fixing keeps every solution worth at least the best known one, which the optimum is),
        // the Lagrangian bound, the online bound. A proven optimum wins ties within rounding.
        pb.best_bound = pb.lagrangian.bound;
        pb.bound_source = BoundSource::lagrangian;
        const double tie = pb.ilp.status == IlpStatus::optimal ? 1e-9 * std::max(1.0, pb.best_bound) : 0.0;
        if (pb.ilp.bound && *pb.ilp.bound <= pb.best_bound + tie) {
            pb.best_bound = *pb.ilp.bound;
            pb.bound_source = pb.ilp.status == IlpStatus::optimal ? BoundSource::ilp_optimal : BoundSource::ilp;
        }
        if (pb.online_bound && *pb.online_bound < pb.best_bound) {
            pb.best_bound = *pb.online_bound;
            pb.bound_source = BoundSource::online;
        }
        // A solution worth the Lagrangian bound (within rounding) is an optimal one.
        if (pb.bound_source == BoundSource::lagrangian &&
            pb.lagrangian.bound <= pb.lagrangian.best_value * (1.0 + 1e-9)) {
            pb.best_bound = pb.lagrangian.best_value;
            pb.bound_source = BoundSource::lagrangian_optimal;
        }
        pb.ratio = pb.best_bound > 0 ? std::min(1.0, pb.greedy_people / pb.best_bound) : 1.0;
        spdlog::info("plan: budget {}: greedy {:.0f} people; Lagrangian bound {:.0f} ({} steps, {} of {} candidates "
                     "fixed out, {:.1f} s); ILP {} {:.0f} (bound {}), {} columns, {:.1f} s; greedy/optimal ≥ {:.4f} ({})",
                     b, pb.greedy_people, pb.lagrangian.bound, pb.lagrangian.iterations, pb.lagrangian.fixed_count,
                     res.candidates.size(), pb.lagrangian.wall_s, to_string(pb.ilp.status), pb.ilp.objective,
                     pb.ilp.bound ? fmt::format("{:.0f}", *pb.ilp.bound) : std::string("none"),
                     pb.ilp.candidate_columns, pb.ilp.wall_s, pb.ratio, to_string(pb.bound_source));
    }
    res.bounds_s = seconds_since(t0);
    return res;
}

PlanCheck reanalyse_plan(const PlanInputs& in, const PlanResult& result) {
    const auto t0 = std::chrono::steady_clock::now();
    const Scenario& sc = in.scenario;
    std::vector<Candidate> chosen;
    for (const auto& p : result.ranking) chosen.push_back(result.candidates[p.candidate]);
    // Existing NR cells + the chosen candidates, as one site table.
    CandidateTable all = existing_nr_table(in.table, in.placements);
    const CandidateTable plan = candidate_table(chosen, sc.plan);
    const std::size_t base_cells = all.table.cells.size();
    const std::size_t base_layers = all.table.layers.size();
    for (std::size_t s = 0; s < plan.table.sites.size(); ++s) {
        sites::Site site = plan.table.sites[s];
        for (auto& ci : site.cells) ci += base_cells;
        all.table.sites.push_back(std::move(site));
        all.placements.push_back(plan.placements[s]);
    }
    for (sites::Cell cell : plan.table.cells) {
        cell.layer += base_layers;
        all.table.cells.push_back(std::move(cell));
    }
    for (sites::Layer l : plan.table.layers) {
        for (auto& ci : l.cells) ci += base_cells;
        all.table.layers.push_back(std::move(l));
    }
    std::sort(all.table.layers.begin(), all.table.layers.end(),
              [](const sites::Layer& a, const sites::Layer& b) { return a.name < b.name; });
    for (std::size_t l = 0; l < all.table.layers.size(); ++l) {
        for (const std::size_t ci : all.table.layers[l].cells) all.table.cells[ci].layer = l;
    }
    const coverage::AntennaCatalogue antennas = coverage::load_antennas(sc.antennas, all.table, sc.file);
    const geo::GridInputs& g = in.grid;
    coverage::PredictionInputs pin{g.grid, g.dem_m, all.table, all.placements, sc.prediction, antennas};
    pin.zone_thresholds_dbm = coverage::zone_thresholds_dbm(sc.analysis, sc.plan);
    std::vector<std::uint8_t> covered(g.grid.pixel_count(), 0);
    const float threshold = static_cast<float>(sc.plan.coverage_threshold_dbm);
    (void)coverage::predict(pin, [&](coverage::LayerResult&& r) {
        for (std::size_t i = 0; i < covered.size(); ++i) {
            if (r.best_dbm[i] >= threshold) covered[i] = 1;
        }
    });
    PlanCheck check;
    check.sites = chosen.size();
    double people = 0;
    for (std::size_t i = 0; i < covered.size(); ++i) {
        const float p = g.population[i];
        if (g.aoi_mask[i] == 0 || !std::isfinite(p)) continue;
        people += p;
        if (covered[i] != 0) check.people_covered += p;
    }
    check.covered_share = people > 0 ? check.people_covered / people : 0.0;
    check.wall_s = seconds_since(t0);
    return check;
}

}  // namespace phusong::planning
