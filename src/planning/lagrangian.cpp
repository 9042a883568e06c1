#include "phusong/planning/lagrangian.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "phusong/core/error.hpp"

namespace phusong::planning {

DemandGroups demand_groups(const CoverageProblem& p, std::span<const std::uint8_t> allowed) {
    check_problem(p);
    const std::size_t m = p.demand.size();
    const std::size_t n = p.covers.size();
    auto is_allowed = [&](std::size_t i) { return allowed.empty() || allowed[i] != 0; };
    // Cell → allowed candidates (ascending), compressed.
    std::vector<std::uint32_t> count(m + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_allowed(i)) continue;
        for (const std::uint32_t j : p.covers[i]) ++count[j + 1];
    }
    std::partial_sum(count.begin(), count.end(), count.begin());
    std::vector<std::uint32_t> flat(count[m]);
    std::vector<std::uint32_t> fill(count.begin(), count.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) {
        if (!is_allowed(i)) continue;
        for (const std::uint32_t j : p.covers[i]) flat[fill[j]++] = i;
    }
    auto cell_span = [&](std::uint32_t j) {
        return std::span<const std::uint32_t>(flat.data() + count[j], count[j + 1] - count[j]);
    };
    std::vector<std::uint32_t> cells;
    for (std::uint32_t j = 0; j < m; ++j) {
        if (p.demand[j] > 0 && count[j + 1] > count[j]) cells.push_back(j);
    }
    std::sort(cells.begin(), cells.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto sa = cell_span(a);
        const auto sb = cell_span(b);
        if (std::lexicographical_compare(sa.begin(), sa.end(), sb.begin(), sb.end())) return true;
        if (std::lexicographical_compare(sb.begin(), sb.end(), sa.begin(), sa.end())) return false;
        return a < b;
    });
    DemandGroups g;
    g.group_start.push_back(0);
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const auto s = cell_span(cells[k]);
        if (k == 0 || !std::ranges::equal(s, cell_span(cells[k - 1]))) {
            g.weight.push_back(0);
            g.cands.insert(g.cands.end(), s.begin(), s.end());
            g.group_start.push_back(static_cast<std::uint32_t>(g.cands.size()));
        }
        g.weight.back() += p.demand[cells[k]];
    }
    // Candidate → groups: the transpose (ascending groups per candidate by construction).
    g.cand_start.assign(n + 1, 0);
    for (const std::uint32_t i : g.cands) ++g.cand_start[i + 1];
    std::partial_sum(g.cand_start.begin(), g.cand_start.end(), g.cand_start.begin());
    g.groups.resize(g.cands.size());
    std::vector<std::uint32_t> next(g.cand_start.begin(), g.cand_start.end() - 1);
    for (std::uint32_t q = 0; q < g.size(); ++q) {
        for (std::uint32_t k = g.group_start[q]; k < g.group_start[q + 1]; ++k) g.groups[next[g.cands[k]]++] = q;
    }
    return g;
}

namespace {

// The fractional knapsack max Σ c_i x_i, Σ a_i x_i ≤ B, 0 ≤ x ≤ 1 over the items with c_i > 0,
// in ratio order (Dantzig 1957), with its value at any other capacity b: KB(b), concave in b.
class FractionalKnapsack {
public:
    void solve(std::span<const double> c, std::span<const double> a, std::span<const std::uint8_t> out, double capacity) {
        m_order.clear();
        for (std::uint32_t i = 0; i < c.size(); ++i) {
            if (out[i] == 0 && c[i] > 0) m_order.push_back(i);
        }
        std::sort(m_order.begin(), m_order.end(), [&](std::uint32_t x, std::uint32_t y) {
            const double rx = c[x] / a[x];
            const double ry = c[y] / a[y];
            return rx != ry ? rx > ry : x < y;
        });
        m_cost.assign(1, 0.0);
        m_value.assign(1, 0.0);
        m_ratio.clear();
        for (const std::uint32_t i : m_order) {
            m_cost.push_back(m_cost.back() + a[i]);
            m_value.push_back(m_value.back() + c[i]);
            m_ratio.push_back(c[i] / a[i]);
        }
        m_capacity = capacity;
        m_full = static_cast<std::size_t>(std::upper_bound(m_cost.begin(), m_cost.end(), capacity * (1 + 1e-12)) -
                                          m_cost.begin()) - 1;
    }
    /// KB(b), b ≥ 0.
    [[nodiscard]] double value_at(double b) const {
        if (b <= 0) return 0;
        const std::size_t k =
            static_cast<std::size_t>(std::upper_bound(m_cost.begin(), m_cost.end(), b * (1 + 1e-12)) - m_cost.begin()) - 1;
        double v = m_value[k];
        if (k < m_ratio.size()) v += (b - m_cost[k]) * m_ratio[k];
        return v;
    }
    [[nodiscard]] double value() const { return value_at(m_capacity); }
    /// The optimal x: items [0, m_full) at 1, the next one at its fraction.
    template <typename F>
    void for_each_x(std::span<const double> a, F&& f) const {
        for (std::size_t k = 0; k < m_full; ++k) f(m_order[k], 1.0);
        if (m_full < m_order.size()) {
            const double frac = (m_capacity - m_cost[m_full]) / a[m_order[m_full]];
            if (frac > 0) f(m_order[m_full], std::min(1.0, frac));
        }
    }
private:
    std::vector<std::uint32_t> m_order;
    std::vector<double> m_cost, m_value, m_ratio;  // prefix sums over m_order; ratio per item
    double m_capacity = 0;
    std::size_t m_full = 0;
};

}  // namespace

LagrangianResult lagrangian_bound(const CoverageProblem& p, const LagrangianOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    const DemandGroups g = demand_groups(p);
    const std::size_t n = p.covers.size();
    const std::size_t ng = g.size();
    const bool sites = o.budget_kind == PlanBudgetKind::sites;
    const double capacity = sites ? std::floor(o.budget + 1e-9) : o.budget;
    std::vector<double> a(n);
    LagrangianResult res;
    res.demand_groups = ng;
    res.fixed_out.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = sites ? 1.0 : p.cost[i];
        if (a[i] > capacity * (1 + 1e-12)) res.fixed_out[i] = 1;  // cannot fit the budget alone
    }
    for (const std::uint32_t i : o.start) {
        if (i >= n || res.fixed_out[i] != 0) throw InternalError("lagrangian_bound: the start is not a feasible choice");
    }
    res.best.assign(o.start.begin(), o.start.end());
    std::sort(res.best.begin(), res.best.end());
    res.best_value = covered_weight(p, res.best);
    // A fixing must hold for every solution worth ≥ best_value: a margin for rounding.
    auto fix_below = [&] { return res.best_value - 1e-9 * std::max(1.0, res.best_value); };
    std::size_t searches = 0;
    std::vector<std::uint8_t> blocked(n, 0);
    std::vector<std::uint32_t> heuristic;
    std::vector<std::uint32_t> by_c;

    std::vector<double> u(g.weight);  // u = w: c_i = i's own weight, the trivial bound
    std::vector<double> c(n, 0.0);
    std::vector<double> s(ng, 0.0);
    FractionalKnapsack knap;
    double step = o.initial_step;
    int since_best = 0;
    res.bound = std::numeric_limits<double>::infinity();
    for (int it = 0; it < std::max(1, o.max_iterations); ++it) {
        res.iterations = it + 1;
        double constant = 0;
        for (std::size_t q = 0; q < ng; ++q) constant += g.weight[q] - u[q];
        for (std::size_t i = 0; i < n; ++i) {
            double sum = 0;
            for (std::uint32_t k = g.cand_start[i]; k < g.cand_start[i + 1]; ++k) sum += u[g.groups[k]];
            c[i] = sum;
        }
        knap.solve(c, a, res.fixed_out, capacity);
        const double ub = constant + knap.value();
        if (it == 0) res.trivial_bound = ub;
        if (ub < res.bound * (1 - 1e-9)) {
            res.bound = ub;
            since_best = 0;
        } else if (++since_best >= o.patience) {
            step /= 2;
            since_best = 0;
        }
        // Fixing: UB with x_i = 1 ≤ constant + c_i + KB(B − a_i) (KB may count i again: still an
        // upper bound). Candidates at x_i = 1 already pass (their forced bound is UB ≥ the optimum).
        for (std::size_t i = 0; i < n; ++i) {
            if (res.fixed_out[i] != 0) continue;
            if (constant + c[i] + knap.value_at(capacity - a[i]) < fix_below()) res.fixed_out[i] = 1;
        }
        // The Lagrangian heuristic: candidates in the knapsack's order, decreasing c_i / a_i (those
        // the relaxation chose come first), taken while they fit the budget and keep the spacing.
        // Only the head of that order can be taken: four times as many as the budget holds of
        // the cheapest candidate (a count whatever the cost unit), plus a margin for spacing.
        by_c.clear();
        double min_a = std::numeric_limits<double>::infinity();
        for (std::uint32_t i = 0; i < n; ++i) {
            if (res.fixed_out[i] == 0 && c[i] > 0) {
                by_c.push_back(i);
                min_a = std::min(min_a, a[i]);
            }
        }
        const double fits = by_c.empty() ? 0.0 : std::floor(capacity / min_a + 1e-9);
        const std::size_t head = static_cast<std::size_t>(std::min(static_cast<double>(by_c.size()), 4 * fits + 16));
        std::partial_sort(by_c.begin(), by_c.begin() + static_cast<std::ptrdiff_t>(head), by_c.end(),
                          [&](std::uint32_t x, std::uint32_t y) {
                              const double rx = c[x] / a[x];
                              const double ry = c[y] / a[y];
                              return rx != ry ? rx > ry : x < y;
                          });
        heuristic.clear();
        double used = 0;
        for (std::size_t k = 0; k < head; ++k) {
            const std::uint32_t i = by_c[k];
            if (blocked[i] != 0 || used + a[i] > capacity * (1 + 1e-12)) continue;
            heuristic.push_back(i);
            used += a[i];
            for (const std::uint32_t j : p.conflicts[i]) blocked[j] = 1;
        }
        for (const std::uint32_t i : heuristic) {
            for (const std::uint32_t j : p.conflicts[i]) blocked[j] = 0;
        }
        if (const double v = covered_weight(p, heuristic); v > res.best_value * (1 + 1e-9)) {
            res.best = heuristic;
            res.best_value = v;
            if (searches < o.max_local_searches) {
                ++searches;
                SwapResult better = improve_by_swaps(p, heuristic, o.budget_kind, o.budget);
                if (better.value > res.best_value) {
                    res.best = std::move(better.chosen);
                    res.best_value = better.value;
                }
            }
            std::sort(res.best.begin(), res.best.end());
        }
        if (res.bound <= res.best_value + 1e-9 * std::max(1.0, res.best_value) || step < 1e-6) break;
        // Subgradient of UB at u: s_g = Σ_{i ∋ g} x_i − 1, projected onto the box [0, w].
        std::fill(s.begin(), s.end(), -1.0);
        knap.for_each_x(a, [&](std::uint32_t i, double x) {
            for (std::uint32_t k = g.cand_start[i]; k < g.cand_start[i + 1]; ++k) s[g.groups[k]] += x;
        });
        double norm2 = 0;
        for (std::size_t q = 0; q < ng; ++q) {
            if ((u[q] <= 0 && s[q] > 0) || (u[q] >= g.weight[q] && s[q] < 0)) s[q] = 0;
            norm2 += s[q] * s[q];
        }
        if (norm2 <= 0) break;  // u minimises UB: the bound is the relaxation's optimum
        // Polyak step toward the best known value (Held, Wolfe & Crowder 1974).
        const double t = step * std::max(ub - res.best_value, 1e-9 * ub) / norm2;
        for (std::size_t q = 0; q < ng; ++q) u[q] = std::clamp(u[q] - t * s[q], 0.0, g.weight[q]);
    }
    res.fixed_count = static_cast<std::size_t>(std::count(res.fixed_out.begin(), res.fixed_out.end(), 1));
    res.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

}  // namespace phusong::planning
