#pragma once
/// The planning stage's settings ([plan] in the scenario). docs/scenario.md documents
/// every key (printed from src/core/option_table.cpp); each default lives here and only here.

#include <optional>
#include <string>
#include <vector>

namespace phusong {

class TomlTableReader;

/// What the selection's budget counts: sites (every candidate weighs 1) or total cost.
enum class PlanBudgetKind { sites, cost };

/// The 5G planning stage ([plan]): candidate NR cells on existing sites (upgrades) and on new
/// sites (greenfield), their footprints on a coarse demand grid, the ranking by lazy greedy and
/// the exact integer-programme bound.
struct PlanConfig {
    bool enabled = false;  ///< `phusong run` includes the stage only when true

    // The NR cell every candidate gets. n78 (3300–3800 MHz, 3GPP TS 38.104 Table 5.2-1) is the
    // mid-band of most 5G roll-outs; 100 MHz is its widest channel at 30 kHz SCS (TS 38.104
    // Table 5.3.5-1). 53 dBm (200 W) is the usual output of a 64T64R
    // massive-MIMO radio at 3.5 GHz, the same as the demo's n41 cells.
    std::string operator_name = "5G plan";  ///< operator of the planned cells; layer "<op> NR <band>"
    std::string band = "n78";
    double freq_mhz = 3500.0;             ///< downlink carrier centre, MHz
    double bandwidth_mhz = 100.0;         ///< channel bandwidth, MHz
    double tx_power_dbm = 53.0;           ///< total transmit power per cell at the port, dBm
    std::string antenna = "nr_mmimo_64t64r";  ///< name in the scenario's [antennas] catalogue
    int sectors = 3;                      ///< cells per candidate, evenly spread in azimuth
    double first_azimuth_deg = 0.0;       ///< boresight of the first sector, degrees from north
    double mech_tilt_deg = 2.0;           ///< mechanical downtilt, degrees
    double elec_tilt_deg = 4.0;           ///< electrical downtilt, degrees

    // Upgrades: every existing site (of `upgrade_operator` only, if given) can carry the NR cell
    // at the height of its existing tower (its highest cell).
    bool upgrades = true;
    std::optional<std::string> upgrade_operator;
    double upgrade_cost = 1.0;            ///< cost of one upgrade, cost units (any currency)

    // Greenfield: one point per lattice square (spacing × spacing, aligned to the grid CRS) that
    // holds at least `greenfield_min_people` people the existing NR layer leaves uncovered, moved
    // to the highest DEM pixel of the square that lies inside the AOI and at least
    // `greenfield_min_distance_m` from every existing site.
    bool greenfield = true;
    double greenfield_spacing_m = 500.0;
    double greenfield_min_distance_m = 300.0;
    double greenfield_min_people = 20.0;
    double greenfield_height_m = 30.0;    ///< antenna height above ground of a new mast, m
    double greenfield_cost = 2.5;         ///< tower, land, power and backhaul on top of the radio

    // Demand and footprints.
    /// Demand grid edge, m (a multiple of the grid's). 60 m: the plan's coverage then agrees with
    /// a 30 m re-analysis of the chosen sites within 0.2 points on the demo (150 m: 0.9 points,
    /// docs/models/planning.md), and the plan still takes well under a minute.
    double demand_cell_m = 60.0;
    double coverage_threshold_dbm = -110.0;  ///< SS-RSRP (per RE) at which a demand cell counts as covered

    // Selection.
    /// Cost: candidates rank by people gained per cost unit, so an upgrade that reaches fewer
    /// people than a new tower still ranks first when it reaches more per cost unit (a new tower
    /// costs greenfield_cost / upgrade_cost = 2.5 upgrades by default); docs/models/planning.md.
    PlanBudgetKind budget_kind = PlanBudgetKind::cost;
    std::optional<double> budget;         ///< the ranking stops at this many sites / this cost
    double target_share = 0.99;           ///< ...or when this share of the AOI's people is covered
    double min_spacing_m = 300.0;         ///< no two chosen candidates closer than this, m

    // Exact bound: the same problem as an integer programme (COIN-OR CBC) at these budgets.
    std::vector<int> ilp_budgets = {10, 25, 50};
    double ilp_time_limit_s = 20.0;       ///< per budget, wall seconds (root LP and branch and bound)
    /// How closely the bound must answer how far greedy is from the optimum: CBC is not run where
    /// the Lagrangian bound is already within this fraction of the best known solution, and stops
    /// once its own solution is proven within it: greedy / optimum is then known to within it.
    double ilp_gap = 0.01;
};

/// Reads [plan] (src/core/scenario_plan.cpp), adding every problem to the reader.
void read_plan(TomlTableReader r, PlanConfig& out);

}  // namespace phusong
