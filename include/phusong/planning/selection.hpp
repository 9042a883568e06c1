#pragma once
/// The maximum-coverage problem behind the 5G plan, and its two solvers: lazy greedy (CELF) for
/// the ranking and the coverage curve, and an exact integer programme (ilp.hpp) for the bound.
/// Pure data: no grid, no GDAL.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "phusong/core/plan_config.hpp"

namespace phusong::planning {

/// Choose candidates to maximise the weight of the demand cells covered by at least one of them,
/// under a budget (count or cost), with no two chosen candidates in conflict (closer than the
/// minimum spacing).
struct CoverageProblem {
    std::vector<double> demand;                       ///< weight of each demand cell (people), ≥ 0
    std::vector<std::vector<std::uint32_t>> covers;   ///< per candidate: demand cells, ascending
    std::vector<double> cost;                         ///< per candidate, > 0
    std::vector<std::vector<std::uint32_t>> conflicts;  ///< per candidate: candidates it excludes (symmetric, ascending)
};

/// Every pair of points closer than `min_spacing_m` (planar, metres, any projected CRS): one
/// ascending list per point. Grid bucketing, O(n) for spread points.
[[nodiscard]] std::vector<std::vector<std::uint32_t>> spacing_conflicts(
    std::span<const std::array<double, 2>> xy_m, double min_spacing_m);

struct GreedyOptions {
    PlanBudgetKind budget_kind = PlanBudgetKind::sites;
    std::optional<double> budget;        ///< stop before exceeding it (sites or cost)
    std::optional<double> target_value;  ///< stop once the covered weight reaches it
    /// true: CELF (Leskovec et al. 2007, "Cost-effective outbreak detection in networks", KDD,
    /// §3.1): a candidate's stale gain bounds its current gain (submodularity), so only the top of
    /// the queue is re-evaluated. false: plain greedy, every candidate re-evaluated every round
    /// (same picks; for tests and comparisons).
    bool lazy = true;
};

/// One pick of the ranking.
struct RankedPick {
    std::uint32_t candidate = 0;
    double marginal = 0;         ///< newly covered weight
    double cumulative = 0;       ///< covered weight after this pick
    double cost = 0;
    double cumulative_cost = 0;
};

struct GreedyResult {
    std::vector<RankedPick> ranking;
    std::size_t evaluations = 0;  ///< marginal-gain evaluations (CELF's saving shows here)
};

/// Greedy maximum coverage: each round picks the feasible candidate with the largest marginal
/// gain (budget by sites) or gain per cost (budget by cost), ties to the lower candidate index,
/// and drops the candidates it conflicts with. Candidates with no gain are never picked. With a
/// sites budget and no conflicts this is the (1 − 1/e)-approximation of Nemhauser, Wolsey & Fisher
/// (1978), "An analysis of approximations for maximizing submodular set functions", Math. Prog. 14.
[[nodiscard]] GreedyResult greedy_select(const CoverageProblem& problem, const GreedyOptions& options);

/// Data-dependent upper bound on the optimum within a budget (spacing relaxed, so still an upper
/// bound with it), from submodularity: f(OPT) ≤ f(S) + Σ_{i ∈ OPT} δ_i with δ_i the marginal gain
/// of i over S. Sites budget (k = ⌊budget⌋): f(S) + Σ of the k largest δ_i (Leskovec et al. 2007,
/// §3.2, Theorem 3; Nemhauser, Wolsey & Fisher 1978). Cost budget B: f(S) + the fractional
/// knapsack of the δ_i with weights c_i and capacity B, taken in δ_i / c_i order (Leskovec et al.
/// 2007, §3.2, Theorem 4); candidates dearer than B alone are left out (no solution holds them).
/// Cheap: one pass over the candidates and a sort.
[[nodiscard]] double online_bound(const CoverageProblem& problem, std::span<const std::uint32_t> chosen,
                                  PlanBudgetKind budget_kind, double budget);

struct SwapResult {
    std::vector<std::uint32_t> chosen;  ///< ascending
    double value = 0;                   ///< covered weight
    std::size_t moves = 0;              ///< improving swaps (and additions) applied
};

/// Local search from a feasible choice (e.g. greedy's): repeatedly applies the best improving
/// swap of one chosen candidate for one other (or addition, while the budget allows) that keeps
/// the budget and the spacing — the vertex substitution heuristic of Teitz & Bart 1968,
/// "Heuristic methods for estimating the generalized vertex median of a weighted graph", Operations
/// Research 16, applied to maximal covering. Stops at a local optimum or after `max_moves`.
/// Deterministic (ties to the lower indices). Its value is a lower bound on the optimum.
[[nodiscard]] SwapResult improve_by_swaps(const CoverageProblem& problem, std::span<const std::uint32_t> start,
                                          PlanBudgetKind budget_kind, double budget, std::size_t max_moves = 1000);

/// Covered weight of a set of candidates.
[[nodiscard]] double covered_weight(const CoverageProblem& problem, std::span<const std::uint32_t> chosen);

/// Throws InternalError if the problem is malformed (sizes, unsorted or out-of-range indices,
/// asymmetric conflicts, non-positive cost, negative demand).
void check_problem(const CoverageProblem& problem);

}  // namespace phusong::planning
