#pragma once
/// The maximum-coverage problem solved exactly as an integer programme with COIN-OR CBC, for the
/// optimality bound of the greedy plan.
///
/// Formulation (the maximal covering location problem, Church & ReVelle 1974, "The maximal
/// covering location problem", Papers of the Regional Science Association 32):
///   maximise   Σ_g w_g y_g
///   subject to y_g ≤ Σ_{i covers g} x_i           for every demand group g
///              Σ_i x_i ≤ k   (or Σ_i c_i x_i ≤ B) the budget
///              Σ_{i ∈ K} x_i ≤ 1                   for cliques K of the conflict graph (spacing)
///              x_i ∈ {0, 1},  0 ≤ y_g ≤ 1.
/// Demand cells covered by exactly the same candidates are merged into one group (weights
/// summed): the same problem with fewer rows. The spacing pairs are covered by cliques (every
/// pair in at least one), which gives the same integer solutions and a tighter LP than one row
/// per pair (Padberg 1973, "On the facial structure of set packing polyhedra", Math. Prog. 5).
/// Candidates fixed out by the Lagrangian test (lagrangian.hpp) get no column.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "phusong/planning/selection.hpp"

namespace phusong::planning {

enum class IlpStatus {
    optimal,          ///< proven optimal (within CBC's default tolerances)
    time_limit,       ///< branch and bound stopped at the time limit: `bound` is CBC's best bound
    within_gap,       ///< stopped once the solution was proven within IlpOptions::gap of `bound`
    root_time_limit,  ///< the root LP did not finish within the time limit: no bound, no search
    failed,           ///< no integer solution and no bound (should not happen: x = 0 is feasible)
    not_needed,       ///< not run: the Lagrangian bound was already within the gap of the best known solution
};
[[nodiscard]] std::string to_string(IlpStatus status);

struct IlpOptions {
    PlanBudgetKind budget_kind = PlanBudgetKind::sites;
    double budget = 0;               ///< sites or cost units
    double time_limit_s = 10;        ///< wall seconds for the root LP and branch and bound together
    /// Stop once the best solution is proven within this fraction of the optimum (CBC's allowable
    /// fraction gap); 0: to optimality or the time limit.
    double gap = 0;
    std::vector<std::uint32_t> warm_start;  ///< a feasible choice (e.g. greedy's) given to CBC first
    /// Per candidate, 1 = x_i fixed to 0 (no column), e.g. LagrangianResult::fixed_out. Empty: none.
    /// The warm start must not use them.
    std::vector<std::uint8_t> fixed_out;
};

struct IlpResult {
    IlpStatus status = IlpStatus::failed;
    double objective = 0;        ///< covered weight of the best integer solution found
    /// Upper bound on the optimum (= objective when optimal) — on the optimum among solutions
    /// worth at least the fixing's lower bound when candidates were fixed out, which is the
    /// optimum itself when that lower bound is the value of a feasible solution.
    std::optional<double> bound;
    std::vector<std::uint32_t> chosen;  ///< the best solution's candidates, ascending
    std::size_t candidate_columns = 0;  ///< candidates left after fixing
    std::size_t columns = 0;     ///< variables (candidates + demand groups)
    std::size_t rows = 0;        ///< constraints
    std::size_t demand_groups = 0;  ///< demand cells after merging identical coverage
    std::size_t spacing_rows = 0;   ///< clique rows
    double wall_s = 0;
};

/// Solves the problem for one budget: the root LP by Clp's dual simplex and branch and bound by
/// CBC, both under the time limit. Single-threaded (the same answer whatever the machine, unless
/// the time limit cuts the search).
[[nodiscard]] IlpResult solve_max_coverage(const CoverageProblem& problem, const IlpOptions& options);

}  // namespace phusong::planning
