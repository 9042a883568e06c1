#pragma once
/// The maximum-coverage problem solved exactly as an integer programme with COIN-OR CBC, for the
/// optimality bound of the greedy plan.
///
/// Formulation (the maximal covering location problem, Church & ReVelle 1974, "The maximal
/// covering location problem", Papers of the Regional Science Association 32):
///   maximise   Σ_g w_g y_g
///   subject to y_g ≤ Σ_{i covers g} x_i           for every demand group g
///              Σ_i x_i ≤ k   (or Σ_i c_i x_i ≤ B) the budget
///              x_i + x_j ≤ 1                      for every conflicting pair (spacing)
///              x_i ∈ {0, 1},  0 ≤ y_g ≤ 1.
/// Demand cells covered by exactly the same candidates are merged into one group (weights
/// summed): the same problem with fewer rows.

#include <cstdint>
#include <string>
#include <vector>

#include "phusong/planning/selection.hpp"

namespace phusong::planning {

enum class IlpStatus {
    optimal,     ///< proven optimal (within CBC's default tolerances)
    time_limit,  ///< stopped at the time limit: `objective` is the best found, `bound` the best bound
    failed,      ///< no integer solution and no bound (should not happen: x = 0 is feasible)
};
[[nodiscard]] std::string to_string(IlpStatus status);

struct IlpOptions {
    PlanBudgetKind budget_kind = PlanBudgetKind::sites;
    double budget = 0;               ///< sites or cost units
    double time_limit_s = 10;        ///< wall seconds for branch and bound
    std::vector<std::uint32_t> warm_start;  ///< a feasible choice (e.g. greedy's) given to CBC first
};

struct IlpResult {
    IlpStatus status = IlpStatus::failed;
    double objective = 0;        ///< covered weight of the best integer solution found
    double bound = 0;            ///< upper bound on the optimum (= objective when optimal)
    std::vector<std::uint32_t> chosen;  ///< the best solution's candidates, ascending
    std::size_t columns = 0;     ///< variables (candidates + demand groups)
    std::size_t rows = 0;        ///< constraints
    std::size_t demand_groups = 0;  ///< demand cells after merging identical coverage
    double wall_s = 0;
};

/// Solves the problem for one budget. Single-threaded CBC (the same answer whatever the machine,
/// unless the time limit cuts the search).
[[nodiscard]] IlpResult solve_max_coverage(const CoverageProblem& problem, const IlpOptions& options);

}  // namespace phusong::planning
