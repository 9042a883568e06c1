#pragma once
/// The planning stage (DESIGN.md "Planning"): 5G candidates (NR upgrades of existing sites and
/// greenfield sites), their coverage footprints on a coarse demand grid, the ranking by lazy
/// greedy up to a target share of the population, and the exact integer-programme bound.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/coverage/footprint.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/planning/ilp.hpp"
#include "phusong/planning/lagrangian.hpp"
#include "phusong/planning/selection.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::planning {

/// Population aggregated from the analysis grid onto a coarser grid of the same CRS and origin.
/// A demand cell counts as covered when the signal at its centre (over the cell-mean terrain)
/// reaches the threshold: the footprints are computed on this grid.
struct DemandGrid {
    geo::Grid grid;                  ///< `factor` analysis pixels per edge; same CRS and origin
    int factor = 1;
    std::vector<double> people;      ///< people in the AOI per demand cell (nodata pixels add 0)
    std::vector<double> uncovered;   ///< people the existing NR layer leaves uncovered
    std::vector<float> dem_m;        ///< mean ground height of the cell's valid pixels; NaN if none
};

/// The demand grid of edge ≈ cell_m (rounded to a whole number of analysis pixels, at least 1),
/// with `uncovered` = `people` (call mark_covered for the existing layer).
[[nodiscard]] DemandGrid make_demand_grid(const geo::GridInputs& in, double cell_m);

/// Sets `uncovered` to 0 in every demand cell of the footprints.
void mark_covered(DemandGrid& demand, std::span<const coverage::Footprint> footprints);

enum class CandidateKind { upgrade, greenfield };
[[nodiscard]] const char* to_string(CandidateKind kind);

struct Candidate {
    CandidateKind kind = CandidateKind::upgrade;
    std::optional<std::size_t> site;  ///< upgrades: index into SiteTable::sites
    std::string site_id;              ///< upgrades: the existing site's id; greenfield: "NEW-0001", …
    std::string operator_name;        ///< upgrades: the site's operator; greenfield: plan.operator
    double x_m = 0;                   ///< grid CRS
    double y_m = 0;
    double lon_deg = 0;               ///< WGS 84
    double lat_deg = 0;
    double ground_m = 0;              ///< terrain height, m
    double height_agl_m = 0;          ///< antenna height above ground, m
    double cost = 0;                  ///< cost units
    bool in_aoi = false;
    std::string admin_unit;           ///< admin unit containing it ("" if none or no admin layer)
};

/// Upgrade candidates: one per existing site (of `config.upgrade_operator` only, if given), at
/// the height of its highest cell.
[[nodiscard]] std::vector<Candidate> upgrade_candidates(const sites::SiteTable& table,
                                                        std::span<const sites::SitePlacement> placements,
                                                        const PlanConfig& config);

/// Greenfield candidates (PlanConfig's greenfield keys): one per lattice square with enough
/// uncovered people, at the square's highest AOI pixel at least min_distance from every existing
/// site. Row-major over the squares (north to south, west to east). lon/lat are left 0 (see
/// set_lon_lat).
[[nodiscard]] std::vector<Candidate> greenfield_candidates(const geo::GridInputs& in,
                                                           const DemandGrid& demand,
                                                           std::span<const sites::SitePlacement> existing,
                                                           const PlanConfig& config);

/// WGS 84 lon/lat of every candidate from its grid-CRS position.
void set_lon_lat(std::vector<Candidate>& candidates, const geo::Grid& grid);

/// Admin unit of every candidate (the first polygon containing it; name from `name_field`).
void set_admin_units(std::vector<Candidate>& candidates, const geo::PolygonLayer& admin,
                     const std::string& name_field);

/// A site table holding one NR site per candidate (site i sorts at position i) with the plan's
/// cells, and its placements: what coverage::site_footprints and coverage::predict take.
struct CandidateTable {
    sites::SiteTable table;
    std::vector<sites::SitePlacement> placements;
};
[[nodiscard]] CandidateTable candidate_table(std::span<const Candidate> candidates, const PlanConfig& config);

/// The NR cells of an existing site table (the existing 5G layer), with their sites' placements.
[[nodiscard]] CandidateTable existing_nr_table(const sites::SiteTable& table,
                                               std::span<const sites::SitePlacement> placements);

struct PlanInputs {
    const Scenario& scenario;                          ///< [plan], [prediction], [antennas]
    const geo::GridInputs& grid;                       ///< analysis grid, DEM, population, AOI
    const sites::SiteTable& table;                     ///< existing sites
    std::span<const sites::SitePlacement> placements;  ///< per table.sites
    const geo::PolygonLayer* admin = nullptr;          ///< admin units for the candidates (optional)
};

/// One entry of the ranking (coverage_curve.csv, candidates.geojson).
struct PlanPick {
    std::uint32_t candidate = 0;     ///< index into PlanResult::candidates
    double marginal_people = 0;
    double cumulative_people = 0;    ///< newly covered by the plan so far
    double covered_share = 0;        ///< (existing + cumulative) / people in the AOI
    double cost = 0;
    double cumulative_cost = 0;
};

/// Where the tightest bound of a budget comes from.
enum class BoundSource {
    ilp_optimal,  ///< CBC proved the optimum
    ilp,          ///< CBC's best bound when stopped at the time limit
    lagrangian,   ///< the Lagrangian relaxation (lagrangian.hpp)
    online,       ///< the submodular online bound (selection.hpp online_bound)
    /// The Lagrangian bound is a known solution's value: that solution is the optimum.
    lagrangian_optimal,
};
[[nodiscard]] const char* to_string(BoundSource source);
/// Whether the bound is the optimum itself (greedy / optimum is then exact, not a lower bound).
[[nodiscard]] constexpr bool proven_optimal(BoundSource s) {
    return s == BoundSource::ilp_optimal || s == BoundSource::lagrangian_optimal;
}

/// The optimality bound at one budget: greedy against the Lagrangian bound and CBC on what the
/// Lagrangian fixing leaves.
struct PlanBound {
    int budget = 0;                  ///< sites (or cost units with budget_kind = cost)
    double greedy_people = 0;        ///< greedy's newly covered people within the budget
    LagrangianResult lagrangian;     ///< its fixed_out is released after use
    IlpResult ilp;
    /// The submodular online bound (selection.hpp online_bound), valid whatever CBC did.
    std::optional<double> online_bound;
    double best_bound = 0;           ///< the tightest valid upper bound on the optimum (the optimum if proven)
    BoundSource bound_source = BoundSource::lagrangian;
    /// greedy / the optimum when proven (proven_optimal); otherwise greedy / best_bound (a lower bound on
    /// the true ratio).
    double ratio = 0;
};

struct PlanResult {
    std::vector<Candidate> candidates;  ///< upgrades first, then greenfield
    std::size_t upgrades = 0;
    std::size_t greenfield = 0;
    double demand_cell_m = 0;           ///< actual demand grid edge, m
    std::size_t demand_cells = 0;       ///< cells with uncovered people
    double people_in_aoi = 0;
    double people_covered_existing = 0; ///< by the existing NR layer
    double people_coverable = 0;        ///< newly covered if every candidate were built
    std::size_t footprint_cells = 0;    ///< Σ footprint sizes (demand cells with people)
    std::vector<PlanPick> ranking;
    bool target_reached = false;
    std::size_t greedy_evaluations = 0;
    std::vector<PlanBound> bounds;
    double candidates_s = 0, footprints_s = 0, greedy_s = 0, bounds_s = 0;  ///< wall seconds per step
};

/// InputError (key plan.antenna) when [plan] names an antenna the [antennas] catalogue lacks.
void check_plan_antenna(const Scenario& scenario);

/// Runs the stage. InputError when [plan] names an antenna the catalogue lacks.
[[nodiscard]] PlanResult run_plan(const PlanInputs& in);

/// Independent check of the curve's last point: predicts the existing NR cells plus the chosen
/// candidates' cells on the analysis grid (coverage::predict, as `phusong run` would with them
/// added) and returns the share of the AOI's people where any NR layer reaches the threshold.
struct PlanCheck {
    std::size_t sites = 0;
    double people_covered = 0;
    double covered_share = 0;
    double wall_s = 0;
};
[[nodiscard]] PlanCheck reanalyse_plan(const PlanInputs& in, const PlanResult& result);

}  // namespace phusong::planning
