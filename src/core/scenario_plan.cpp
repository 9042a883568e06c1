#include "phusong/core/plan_config.hpp"
#include "phusong/core/toml_reader.hpp"

namespace phusong {
namespace {

}  // namespace

void read_plan(TomlTableReader r, PlanConfig& p) {
    r.get("enabled", p.enabled);
    r.get("operator", p.operator_name);
    r.get("band", p.band);
    r.get("freq_mhz", p.freq_mhz, "MHz");
    r.get("bandwidth_mhz", p.bandwidth_mhz, "MHz");
    r.get("tx_power_dbm", p.tx_power_dbm, "dBm");
    r.get("antenna", p.antenna);
    r.get("sectors", p.sectors);
    r.get("first_azimuth_deg", p.first_azimuth_deg, "degrees");
    r.get("mech_tilt_deg", p.mech_tilt_deg, "degrees");
    r.get("elec_tilt_deg", p.elec_tilt_deg, "degrees");
    r.get("upgrades", p.upgrades);
    r.get("upgrade_operator", p.upgrade_operator);
    r.get("upgrade_cost", p.upgrade_cost);
    r.get("greenfield", p.greenfield);
    r.get("greenfield_spacing_m", p.greenfield_spacing_m, "metres");
    r.get("greenfield_min_distance_m", p.greenfield_min_distance_m, "metres");
    r.get("greenfield_min_people", p.greenfield_min_people, "people");
    r.get("greenfield_height_m", p.greenfield_height_m, "metres");
    r.get("greenfield_cost", p.greenfield_cost);
    r.get("demand_cell_m", p.demand_cell_m, "metres");
    r.get("coverage_threshold_dbm", p.coverage_threshold_dbm, "dBm");
    std::optional<std::string> kind;
    r.get("budget_kind", kind);
    if (kind) {
        if (*kind == "sites") {
            p.budget_kind = PlanBudgetKind::sites;
        } else if (*kind == "cost") {
            p.budget_kind = PlanBudgetKind::cost;
        } else {
            r.problem("budget_kind", "unknown value \"" + *kind + "\": expected sites or cost");
        }
    }
    r.get("budget", p.budget);
    r.get("target_share", p.target_share);
    r.get("min_spacing_m", p.min_spacing_m, "metres");
    r.get("ilp_budgets", p.ilp_budgets);
    r.get("ilp_time_limit_s", p.ilp_time_limit_s, "seconds");
    r.finish();

    r.check_range("freq_mhz", p.freq_mhz, 400, 100000, "MHz");
    r.check_range("bandwidth_mhz", p.bandwidth_mhz, 0.1, 400, "MHz");
    r.check_range("tx_power_dbm", p.tx_power_dbm, -10, 70, "dBm");
    if (p.sectors < 1 || p.sectors > 12) {
        r.problem("sectors", "expected 1 ≤ sectors ≤ 12, got " + std::to_string(p.sectors));
    }
    r.check_range("first_azimuth_deg", p.first_azimuth_deg, 0, 359.999999, "degrees");
    r.check_range("mech_tilt_deg", p.mech_tilt_deg, -20, 30, "degrees");
    r.check_range("elec_tilt_deg", p.elec_tilt_deg, -20, 30, "degrees");
    r.check_range("upgrade_cost", p.upgrade_cost, 1e-9, 1e12, "cost units, > 0");
    r.check_range("greenfield_spacing_m", p.greenfield_spacing_m, 50, 50000, "metres");
    r.check_range("greenfield_min_distance_m", p.greenfield_min_distance_m, 0, 50000, "metres");
    r.check_range("greenfield_min_people", p.greenfield_min_people, 0, 1e9, "people");
    r.check_range("greenfield_height_m", p.greenfield_height_m, 0.5, 300, "metres");
    r.check_range("greenfield_cost", p.greenfield_cost, 1e-9, 1e12, "cost units, > 0");
    r.check_range("demand_cell_m", p.demand_cell_m, 1, 5000, "metres");
    r.check_range("coverage_threshold_dbm", p.coverage_threshold_dbm, -140, -44, "dBm");
    if (p.budget) r.check_range("budget", *p.budget, 1e-9, 1e12, "sites or cost units, > 0");
    r.check_range("target_share", p.target_share, 1e-6, 1, "fraction of the AOI's people");
    r.check_range("min_spacing_m", p.min_spacing_m, 0, 50000, "metres");
    for (std::size_t k = 0; k < p.ilp_budgets.size(); ++k) {
        if (p.ilp_budgets[k] < 1) {
            r.problem("ilp_budgets", "entry " + std::to_string(k + 1) + " is " + std::to_string(p.ilp_budgets[k]) +
                                         ": expected budgets ≥ 1 (sites or cost units), or [] for no bound");
        }
    }
    r.check_range("ilp_time_limit_s", p.ilp_time_limit_s, 0.1, 86400, "seconds");
    if (!p.upgrades && !p.greenfield) {
        r.problem("greenfield", "upgrades and greenfield are both false: the plan has no candidates");
    }
}

}  // namespace phusong
