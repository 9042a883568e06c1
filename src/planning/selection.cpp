#include "phusong/planning/selection.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <queue>

#include "phusong/core/error.hpp"

namespace phusong::planning {

std::vector<std::vector<std::uint32_t>> spacing_conflicts(std::span<const std::array<double, 2>> xy_m,
                                                          double min_spacing_m) {
    std::vector<std::vector<std::uint32_t>> out(xy_m.size());
    if (!(min_spacing_m > 0) || xy_m.empty()) return out;
    // Buckets of edge min_spacing_m: a conflicting pair lies in the same or adjacent buckets.
    std::map<std::pair<long long, long long>, std::vector<std::uint32_t>> buckets;
    auto key_of = [&](const std::array<double, 2>& p) {
        return std::pair{static_cast<long long>(std::floor(p[0] / min_spacing_m)),
                         static_cast<long long>(std::floor(p[1] / min_spacing_m))};
    };
    for (std::uint32_t i = 0; i < xy_m.size(); ++i) buckets[key_of(xy_m[i])].push_back(i);
    const double d2max = min_spacing_m * min_spacing_m;
    for (std::uint32_t i = 0; i < xy_m.size(); ++i) {
        const auto [bx, by] = key_of(xy_m[i]);
        for (long long dx = -1; dx <= 1; ++dx) {
            for (long long dy = -1; dy <= 1; ++dy) {
                const auto it = buckets.find({bx + dx, by + dy});
                if (it == buckets.end()) continue;
                for (const std::uint32_t j : it->second) {
                    if (j == i) continue;
                    const double ex = xy_m[i][0] - xy_m[j][0];
                    const double ey = xy_m[i][1] - xy_m[j][1];
                    if (ex * ex + ey * ey < d2max) out[i].push_back(j);
                }
            }
        }
        std::sort(out[i].begin(), out[i].end());
    }
    return out;
}

void check_problem(const CoverageProblem& p) {
    const std::size_t n = p.covers.size();
    if (p.cost.size() != n || p.conflicts.size() != n) {
        throw InternalError("CoverageProblem: covers, cost and conflicts differ in size");
    }
    for (const double w : p.demand) {
        if (!(w >= 0) || !std::isfinite(w)) throw InternalError("CoverageProblem: demand must be finite and ≥ 0");
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!(p.cost[i] > 0) || !std::isfinite(p.cost[i])) {
            throw InternalError("CoverageProblem: cost of candidate " + std::to_string(i) + " must be > 0");
        }
        const auto& c = p.covers[i];
        for (std::size_t k = 0; k < c.size(); ++k) {
            if (c[k] >= p.demand.size() || (k > 0 && c[k] <= c[k - 1])) {
                throw InternalError("CoverageProblem: covers of candidate " + std::to_string(i) +
                                    " must be ascending demand-cell indices");
            }
        }
        const auto& f = p.conflicts[i];
        for (std::size_t k = 0; k < f.size(); ++k) {
            if (f[k] >= n || f[k] == i || (k > 0 && f[k] <= f[k - 1]) ||
                !std::binary_search(p.conflicts[f[k]].begin(), p.conflicts[f[k]].end(),
                                    static_cast<std::uint32_t>(i))) {
                throw InternalError("CoverageProblem: conflicts of candidate " + std::to_string(i) +
                                    " must be ascending, symmetric and exclude itself");
            }
        }
    }
}

namespace {

struct Entry {
    double key;               // gain (sites) or gain per cost (cost): an upper bound unless fresh
    double gain;              // the marginal gain `key` was computed from
    std::uint32_t candidate;
    std::size_t round;        // number of picks when `key` was computed
};

// Max-heap on key, then the lower candidate index first.
struct EntryOrder {
    bool operator()(const Entry& a, const Entry& b) const {
        if (a.key != b.key) return a.key < b.key;
        return a.candidate > b.candidate;
    }
};

class GreedyState {
public:
    GreedyState(const CoverageProblem& p, const GreedyOptions& o)
        : m_p(p), m_o(o), m_covered(p.demand.size(), 0), m_alive(p.covers.size(), 1) {}

    [[nodiscard]] double gain(std::uint32_t i) {
        ++evaluations;
        double g = 0;
        for (const std::uint32_t c : m_p.covers[i]) {
            if (m_covered[c] == 0) g += m_p.demand[c];
        }
        return g;
    }
    [[nodiscard]] double key(std::uint32_t i, double g) const {
        return m_o.budget_kind == PlanBudgetKind::cost ? g / m_p.cost[i] : g;
    }
    /// Whether candidate i can still be picked (not taken, not excluded, fits the budget).
    [[nodiscard]] bool feasible(std::uint32_t i) const {
        if (m_alive[i] == 0) return false;
        if (m_o.budget_kind == PlanBudgetKind::cost && m_o.budget) {
            return cumulative_cost + m_p.cost[i] <= *m_o.budget * (1 + 1e-12);
        }
        return true;
    }
    [[nodiscard]] bool done() const {
        if (m_o.target_value && cumulative >= *m_o.target_value) return true;
        if (m_o.budget_kind == PlanBudgetKind::sites && m_o.budget &&
            static_cast<double>(result.ranking.size()) + 1 > *m_o.budget + 1e-9) {
            return true;
        }
        return false;
    }
    void pick(std::uint32_t i, double g) {
        for (const std::uint32_t c : m_p.covers[i]) m_covered[c] = 1;
        m_alive[i] = 0;
        for (const std::uint32_t j : m_p.conflicts[i]) m_alive[j] = 0;
        cumulative += g;
        cumulative_cost += m_p.cost[i];
        result.ranking.push_back({i, g, cumulative, m_p.cost[i], cumulative_cost});
    }

    GreedyResult result;
    std::size_t evaluations = 0;
    double cumulative = 0;
    double cumulative_cost = 0;

private:
    const CoverageProblem& m_p;
    const GreedyOptions& m_o;
    std::vector<std::uint8_t> m_covered;
    std::vector<std::uint8_t> m_alive;
};

GreedyResult lazy_greedy(const CoverageProblem& p, const GreedyOptions& o) {
    GreedyState s(p, o);
    std::priority_queue<Entry, std::vector<Entry>, EntryOrder> queue;
    for (std::uint32_t i = 0; i < p.covers.size(); ++i) {
        if (!s.feasible(i)) continue;
        const double g = s.gain(i);
        if (g > 0) queue.push({s.key(i, g), g, i, 0});
    }
    while (!queue.empty() && !s.done()) {
        const Entry top = queue.top();
        queue.pop();
        if (!s.feasible(top.candidate)) continue;  // excluded, or (cost budget) no longer fits
        if (top.round == s.result.ranking.size()) {
            // Fresh: by submodularity no other candidate can beat it (stale keys are upper bounds).
            s.pick(top.candidate, top.gain);
            continue;
        }
        const double g = s.gain(top.candidate);
        if (g > 0) queue.push({s.key(top.candidate, g), g, top.candidate, s.result.ranking.size()});
    }
    s.result.evaluations = s.evaluations;
    return std::move(s.result);
}

GreedyResult plain_greedy(const CoverageProblem& p, const GreedyOptions& o) {
    GreedyState s(p, o);
    while (!s.done()) {
        std::optional<Entry> best;
        for (std::uint32_t i = 0; i < p.covers.size(); ++i) {
            if (!s.feasible(i)) continue;
            const double g = s.gain(i);
            if (!(g > 0)) continue;
            const Entry e{s.key(i, g), g, i, 0};
            if (!best || EntryOrder{}(*best, e)) best = e;
        }
        if (!best) break;
        s.pick(best->candidate, best->gain);
    }
    s.result.evaluations = s.evaluations;
    return std::move(s.result);
}

}  // namespace

GreedyResult greedy_select(const CoverageProblem& problem, const GreedyOptions& options) {
    check_problem(problem);
    return options.lazy ? lazy_greedy(problem, options) : plain_greedy(problem, options);
}

double online_bound(const CoverageProblem& problem, std::span<const std::uint32_t> chosen, PlanBudgetKind budget_kind,
                    double budget) {
    std::vector<std::uint8_t> covered(problem.demand.size(), 0);
    for (const std::uint32_t i : chosen) {
        for (const std::uint32_t c : problem.covers.at(i)) covered[c] = 1;
    }
    const bool sites = budget_kind == PlanBudgetKind::sites;
    const double capacity = sites ? std::floor(budget + 1e-9) : budget;
    struct Item {
        double gain;
        double size;  // 1 (sites) or the candidate's cost
    };
    std::vector<Item> items;
    for (std::uint32_t i = 0; i < problem.covers.size(); ++i) {
        const double size = sites ? 1.0 : problem.cost[i];
        if (size > capacity * (1 + 1e-12)) continue;  // cannot be part of any solution
        double g = 0;
        for (const std::uint32_t c : problem.covers[i]) {
            if (covered[c] == 0) g += problem.demand[c];
        }
        if (g > 0) items.push_back({g, size});
    }
    // Fractional knapsack by gain per size (Dantzig 1957): with unit sizes, the k largest gains.
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        const double ra = a.gain / a.size;
        const double rb = b.gain / b.size;
        return ra != rb ? ra > rb : a.gain > b.gain;
    });
    double bound = covered_weight(problem, chosen);
    double room = capacity;
    for (const Item& it : items) {
        if (room <= 0) break;
        const double take = std::min(1.0, room / it.size);
        bound += take * it.gain;
        room -= take * it.size;
    }
    return bound;
}

SwapResult improve_by_swaps(const CoverageProblem& p, std::span<const std::uint32_t> start, PlanBudgetKind budget_kind,
                            double budget, std::size_t max_moves) {
    check_problem(p);
    const std::size_t n = p.covers.size();
    const std::size_t m = p.demand.size();
    const bool sites = budget_kind == PlanBudgetKind::sites;
    const double capacity = sites ? std::floor(budget + 1e-9) : budget;
    auto size_of = [&](std::uint32_t i) { return sites ? 1.0 : p.cost[i]; };
    // Cell → candidates covering it, to find the candidates a swap's removal interacts with.
    std::vector<std::uint32_t> cell_start(m + 1, 0);
    for (const auto& c : p.covers) {
        for (const std::uint32_t j : c) ++cell_start[j + 1];
    }
    for (std::size_t j = 0; j < m; ++j) cell_start[j + 1] += cell_start[j];
    std::vector<std::uint32_t> cell_cands(cell_start[m]);
    {
        std::vector<std::uint32_t> next(cell_start.begin(), cell_start.end() - 1);
        for (std::uint32_t i = 0; i < n; ++i) {
            for (const std::uint32_t j : p.covers[i]) cell_cands[next[j]++] = i;
        }
    }

    std::vector<std::uint8_t> in(n, 0);
    double used = 0;
    for (const std::uint32_t i : start) {
        if (i >= n || in[i] != 0) throw InternalError("improve_by_swaps: the start has a repeated or unknown candidate");
        in[i] = 1;
        used += size_of(i);
    }
    SwapResult res;
    std::vector<std::uint32_t> count(m, 0);      // chosen candidates covering each cell
    std::vector<std::uint32_t> conflicts(n, 0);  // chosen candidates each candidate conflicts with
    std::vector<double> gain(n, 0.0);            // weight a candidate would add (cells at count 0)
    std::vector<double> bonus(n, 0.0);           // scratch: weight shared with the candidate removed
    std::vector<std::uint32_t> touched;
    std::vector<std::uint32_t> order;
    const double eps = 1e-9 * std::max(1.0, covered_weight(p, start));  // improvements below this are rounding
    while (true) {
        std::fill(count.begin(), count.end(), 0);
        std::fill(conflicts.begin(), conflicts.end(), 0);
        for (std::uint32_t i = 0; i < n; ++i) {
            if (in[i] == 0) continue;
            for (const std::uint32_t c : p.covers[i]) ++count[c];
            for (const std::uint32_t j : p.conflicts[i]) ++conflicts[j];
        }
        for (std::uint32_t i = 0; i < n; ++i) {
            double g = 0;
            for (const std::uint32_t c : p.covers[i]) {
                if (count[c] == 0) g += p.demand[c];
            }
            gain[i] = g;
        }
        if (res.moves >= max_moves) break;
        // Candidates outside the choice by decreasing gain (ties: lower index).
        order.clear();
        for (std::uint32_t j = 0; j < n; ++j) {
            if (in[j] == 0) order.push_back(j);
        }
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return gain[a] != gain[b] ? gain[a] > gain[b] : a < b;
        });
        double best_delta = eps;
        std::optional<std::uint32_t> best_out;
        std::uint32_t best_in = 0;
        // Additions while the budget allows.
        for (const std::uint32_t j : order) {
            if (gain[j] <= best_delta) break;
            if (conflicts[j] == 0 && used + size_of(j) <= capacity * (1 + 1e-12)) {
                best_delta = gain[j];
                best_in = j;
                break;
            }
        }
        // Swaps: removing i loses the cells only i covers; j then gains its own uncovered cells
        // plus those of i's cells it also covers.
        for (std::uint32_t i = 0; i < n; ++i) {
            if (in[i] == 0) continue;
            double loss = 0;
            touched.clear();
            for (const std::uint32_t c : p.covers[i]) {
                if (count[c] != 1 || !(p.demand[c] > 0)) continue;
                loss += p.demand[c];
                for (std::uint32_t k = cell_start[c]; k < cell_start[c + 1]; ++k) {
                    const std::uint32_t j = cell_cands[k];
                    if (in[j] != 0) continue;
                    if (bonus[j] == 0) touched.push_back(j);
                    bonus[j] += p.demand[c];
                }
            }
            auto feasible = [&](std::uint32_t j) {
                const bool conflicts_i = std::binary_search(p.conflicts[j].begin(), p.conflicts[j].end(), i);
                return conflicts[j] == (conflicts_i ? 1u : 0u) &&
                       used - size_of(i) + size_of(j) <= capacity * (1 + 1e-12);
            };
            auto consider = [&](std::uint32_t j, double delta) {
                if (delta > best_delta || (delta == best_delta && best_out && (i < *best_out || (i == *best_out && j < best_in)))) {
                    best_delta = delta;
                    best_out = i;
                    best_in = j;
                }
            };
            for (const std::uint32_t j : touched) {
                if (feasible(j)) consider(j, gain[j] + bonus[j] - loss);
            }
            for (const std::uint32_t j : order) {  // the best of the rest: no shared cells
                if (gain[j] - loss < best_delta) break;
                if (bonus[j] == 0 && feasible(j)) {
                    consider(j, gain[j] - loss);
                    break;
                }
            }
            for (const std::uint32_t j : touched) bonus[j] = 0;
        }
        if (best_delta <= eps) break;
        if (best_out) {
            in[*best_out] = 0;
            used -= size_of(*best_out);
        }
        in[best_in] = 1;
        used += size_of(best_in);
        ++res.moves;
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        if (in[i] != 0) res.chosen.push_back(i);
    }
    res.value = covered_weight(p, res.chosen);
    return res;
}

double covered_weight(const CoverageProblem& problem, std::span<const std::uint32_t> chosen) {
    std::vector<std::uint8_t> covered(problem.demand.size(), 0);
    double total = 0;
    for (const std::uint32_t i : chosen) {
        for (const std::uint32_t c : problem.covers.at(i)) {
            if (covered[c] == 0) {
                covered[c] = 1;
                total += problem.demand[c];
            }
        }
    }
    return total;
}

}  // namespace phusong::planning
