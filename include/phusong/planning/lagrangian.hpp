#pragma once
/// An upper bound on the maximum-coverage optimum by Lagrangian relaxation, and the variable
/// fixing it allows: what makes the exact bound of the plan cheap (ilp.hpp solves what is left).
///
/// Relaxing the coverage rows y_g ≤ Σ_{i covers g} x_i of the maximal covering ILP (ilp.hpp) with
/// multipliers 0 ≤ u_g ≤ w_g, and dropping the spacing rows, leaves
///   UB(u) = Σ_g (w_g − u_g) + max { Σ_i c_i(u) x_i : Σ_i a_i x_i ≤ B, 0 ≤ x ≤ 1 },
///   c_i(u) = Σ_{g ∈ S_i} u_g,
/// a fractional knapsack (a_i = 1 for a sites budget: the k largest c_i; a_i = candidate i's cost for a
/// cost budget, solved by ratio order: Dantzig 1957, "Discrete-variable extremum problems",
/// Operations Research 5) — an upper bound on the
/// optimum for every such u (Fisher 1981, "The Lagrangian relaxation method for solving integer
/// programming problems", Management Science 27, §2; for maximal covering Galvão & ReVelle 1996,
/// "A Lagrangean heuristic for the maximal covering location problem", EJOR 88). With a sites
/// budget its minimum over u equals the LP bound without spacing (the knapsack of unit weights has
/// integral vertices: Geoffrion 1974, "Lagrangean relaxation for integer programming", Math.
/// Prog. Study 2, Theorem 1). u is improved by subgradient steps with the Polyak step length
/// (Held, Wolfe & Crowder 1974, "Validation of subgradient optimization", Math. Prog. 6).
///
/// Fixing (the Lagrangian reduced-cost test, Fisher 1981 as above): if UB(u) with
/// x_i forced to 1 is below the value LB of a known solution, no solution worth ≥ LB — the optimum
/// among them — chooses i, so x_i = 0 can be fixed. Every u of the run gives a valid test.
///
/// The known solution improves on the way (the Lagrangian heuristic of Galvão & ReVelle 1996 as
/// above): each step's relaxed choice (the candidates at x_i = 1), made feasible for the spacing
/// and the budget in c_i order, is a solution; the best ones are improved by swaps
/// (improve_by_swaps). A better LB fixes more.

#include <cstdint>
#include <span>
#include <vector>

#include "phusong/planning/selection.hpp"

namespace phusong::planning {

/// Demand cells with weight > 0 and at least one allowed covering candidate, merged when the same
/// allowed candidates cover them (weights summed): the rows of the ILP, the multipliers of the
/// relaxation. Compressed sparse rows both ways.
struct DemandGroups {
    std::vector<double> weight;              ///< per group: people
    std::vector<std::uint32_t> group_start;  ///< group g's candidates: cands[group_start[g] .. group_start[g + 1])
    std::vector<std::uint32_t> cands;        ///< ascending per group
    std::vector<std::uint32_t> cand_start;   ///< candidate i's groups: groups[cand_start[i] .. cand_start[i + 1])
    std::vector<std::uint32_t> groups;       ///< ascending per candidate
    [[nodiscard]] std::size_t size() const { return weight.size(); }
};

/// The groups of a problem. `allowed` (per candidate, 0 = left out) empty: every candidate.
[[nodiscard]] DemandGroups demand_groups(const CoverageProblem& problem, std::span<const std::uint8_t> allowed = {});

struct LagrangianOptions {
    PlanBudgetKind budget_kind = PlanBudgetKind::sites;
    double budget = 0;              ///< sites (rounded down) or cost units
    std::vector<std::uint32_t> start;  ///< a feasible solution (greedy's): the first lower bound
    std::size_t max_local_searches = 8;  ///< improve_by_swaps runs on new best heuristic solutions
    int max_iterations = 600;       ///< subgradient steps (deterministic: no time limit)
    int patience = 20;              ///< steps without improvement before the step factor halves
    double initial_step = 2.0;      ///< Polyak factor λ, 0 < λ ≤ 2 (Held, Wolfe & Crowder 1974)
};

struct LagrangianResult {
    double bound = 0;               ///< min over the iterations of UB(u): an upper bound on the optimum
    double trivial_bound = 0;       ///< UB(u = w): the budget's best candidates' own weights
    std::vector<std::uint32_t> best;   ///< the best feasible solution known at the end (ascending)
    double best_value = 0;          ///< its covered weight: the lower bound the fixing used last
    std::vector<std::uint8_t> fixed_out;  ///< per candidate: 1 if no solution worth ≥ best_value chooses it
    std::size_t fixed_count = 0;    ///< Σ fixed_out (includes candidates dearer than the budget)
    int iterations = 0;
    std::size_t demand_groups = 0;
    double wall_s = 0;
};

/// The bound and the fixing for one budget. Spacing is ignored (a relaxation: still an upper bound).
[[nodiscard]] LagrangianResult lagrangian_bound(const CoverageProblem& problem, const LagrangianOptions& options);

}  // namespace phusong::planning
