// ITM's statistics of a terrain profile [Alg §3 "point-to-point"]: the least-squares line
// ("zlsq1") and the terrain irregularity Δh ("d1thx": the interdecile range of the profile about
// its line, [ERL79 Eqn 3] inverted), with what makes Δh fast: the resampling, the line fit's sums
// and the k-th value selection, their AVX2 and AVX-512 kernels beside the scalar loops they
// replace (the same numbers bit for bit, tests/radio/test_itm_terrain.cpp). The reference keys
// ([ERL79], [Alg]) are listed in include/phusong/radio/itm.hpp; the declarations and contracts
// are in include/phusong/radio/detail/itm_terrain.hpp. The model that uses them, analyse_profile,
// is in itm.cpp; RayProfile (itm_ray.cpp) calls them on every prefix of a ray.

#include "phusong/radio/detail/itm_terrain.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>

#include "phusong/radio/multiversion.hpp"

#if PHUSONG_HAVE_AVX2_KERNELS
#include <immintrin.h>
#endif

namespace phusong::radio::itm {

namespace {

/// FORTRAN's DIM(x, y): the positive difference, as in itm.cpp.
double dim(double x, double y) { return x > y ? x - y : 0.0; }

/// Most points "d1thx" resamples a profile onto: n = 10·k − 5 with k ≤ 25 [Alg §3].
constexpr int kMaxDeltaHSamples = 10 * 25 - 5;

/// Median of three, without branches.
double median3(double a, double b, double c) {
    return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

/// Three-way partition of `from` about `pivot` into `to` (same size), without branches: the
/// values below the pivot to the front (returned count `below`), those above to the back
/// (`above`); the values equal to the pivot are only counted (the slots between stay junk).
struct Split {
    int below;
    int above;
};
Split partition3(std::span<const double> from, double pivot, std::span<double> to) {
    const int n = static_cast<int>(from.size());
    int below = 0;
    int above = 0;
    for (const double v : from) {
        // Both slots are free (below + above ≤ elements seen < n), so writing v to both and
        // advancing at most one index keeps every value placed so far.
        to[static_cast<std::size_t>(below)] = v;
        to[static_cast<std::size_t>(n - 1 - above)] = v;
        below += static_cast<int>(v < pivot);
        above += static_cast<int>(v > pivot);
    }
    return {below, above};
}

/// The `rank`-th smallest value (0-based) of `a`: quickselect with branch-free partitions
/// (std::nth_element's data-dependent branches mispredict on terrain). `a` and `scratch` (same
/// size) are both overwritten. Finite values only.
double select_rank(std::span<double> a, int rank, std::span<double> scratch) {
    // Work budget before handing over to std::nth_element (median-of-3 pivots can be beaten by
    // unlucky data): quickselect touches ~2–3 n values on average.
    std::size_t budget = 8 * a.size();
    while (a.size() <= budget) {
        budget -= a.size();
        const std::size_t n = a.size();
        const double pivot = median3(a[n / 4], a[n / 2], a[(3 * n) / 4]);
        const Split sp = partition3(a, pivot, scratch);
        const auto below = static_cast<std::size_t>(sp.below);
        const auto above = static_cast<std::size_t>(sp.above);
        const auto r = static_cast<std::size_t>(rank);
        // Ping-pong: the part holding the rank becomes the data, the other buffer's same slots
        // its scratch.
        if (r < below) {
            scratch = std::exchange(a, scratch.first(below)).first(below);
        } else if (r < n - above) {
            return pivot;  // the pivot is one of the values, so this band is never empty
        } else {
            rank -= static_cast<int>(n - above);
            scratch = std::exchange(a, scratch.last(above)).last(above);
        }
    }
    std::nth_element(a.begin(), a.begin() + rank, a.end());
    return a[static_cast<std::size_t>(rank)];
}

/// The k-th largest and the k-th smallest of the detrended samples, "d1thx"'s interdecile
/// range [Alg §3].
struct InterdecileValues {
    double upper;  ///< k-th largest
    double lower;  ///< k-th smallest
};
InterdecileValues interdecile_values(std::span<double> s, int k, std::span<double> scratch) {
    // One shared first pass about a middle pivot: usually the k-th largest lies above it and
    // the k-th smallest below it, and the two selections go on in disjoint halves.
    const std::size_t n = s.size();
    const double pivot = median3(s[n / 4], s[n / 2], s[(3 * n) / 4]);
    const Split sp = partition3(s, pivot, scratch);
    const auto below = static_cast<std::size_t>(sp.below);
    const auto above = static_cast<std::size_t>(sp.above);
    const auto lo_rank = static_cast<std::size_t>(k - 1);  // ascending ranks, 0-based
    const auto up_rank = n - static_cast<std::size_t>(k);
    InterdecileValues out{pivot, pivot};
    if (lo_rank < below && up_rank >= n - above) {
        out.lower = select_rank(scratch.first(below), static_cast<int>(lo_rank), s.first(below));
        out.upper = select_rank(scratch.last(above), static_cast<int>(up_rank - (n - above)),
                                s.last(above));
        return out;
    }
    // A lopsided pivot: both from the partitioned values (the pivot's band filled in), the
    // second selection on a copy of its own.
    std::fill(scratch.begin() + static_cast<std::ptrdiff_t>(below),
              scratch.end() - static_cast<std::ptrdiff_t>(above), pivot);
    std::array<double, kMaxDeltaHSamples> copy;
    const std::span<double> c(copy.data(), n);
    std::copy(scratch.begin(), scratch.end(), c.begin());
    out.lower = select_rank(scratch, static_cast<int>(lo_rank), s);
    out.upper = select_rank(c, static_cast<int>(up_rank), s);
    return out;
}

#if PHUSONG_HAVE_AVX2_KERNELS
/// The first pass of interdecile_values with a guess, four values at a time: the values at or
/// above `upper_from` appended to `high`, those at or below `lower_to` to `low`, in their order
/// (a left-packing permutation per vector: the scalar loop's sets, element for element). Each
/// store writes four slots, so both arrays need 3 slots beyond the values kept. Returns how many
/// values of s it went through (a multiple of 4); the scalar loop does the rest.
PHUSONG_AVX2_TARGET
std::size_t keep_extremes_avx2(std::span<const double> s, double upper_from, double lower_to, double* high,
                               double* low, std::size_t& n_high, std::size_t& n_low) {
    // For each 4-bit mask, the 32-bit lanes that move the kept doubles to the front.
    static constexpr std::array<std::array<std::int32_t, 8>, 16> kPack = [] {
        std::array<std::array<std::int32_t, 8>, 16> t{};
        for (int m = 0; m < 16; ++m) {
            int out = 0;
            for (int lane = 0; lane < 4; ++lane) {
                if ((m >> lane) & 1) {
                    t[m][out++] = 2 * lane;
                    t[m][out++] = 2 * lane + 1;
                }
            }
            while (out < 8) t[m][out++] = 0;
        }
        return t;
    }();
    const __m256d up = _mm256_set1_pd(upper_from);
    const __m256d lo = _mm256_set1_pd(lower_to);
    std::size_t i = 0;
    for (; i + 4 <= s.size(); i += 4) {
        const __m256d v = _mm256_loadu_pd(s.data() + i);
        const int m_high = _mm256_movemask_pd(_mm256_cmp_pd(v, up, _CMP_GE_OQ));
        const int m_low = _mm256_movemask_pd(_mm256_cmp_pd(v, lo, _CMP_LE_OQ));
        const __m256 as_float = _mm256_castpd_ps(v);
        const __m256i p_high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kPack[m_high].data()));
        const __m256i p_low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kPack[m_low].data()));
        _mm256_storeu_pd(high + n_high, _mm256_castps_pd(_mm256_permutevar8x32_ps(as_float, p_high)));
        _mm256_storeu_pd(low + n_low, _mm256_castps_pd(_mm256_permutevar8x32_ps(as_float, p_low)));
        n_high += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(m_high)));
        n_low += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(m_low)));
    }
    return i;
}
#endif

#if PHUSONG_HAVE_AVX2_KERNELS
/// detail::smallest_rank four values at a time: per pass the least value above the last one
/// found, lane by lane then across the lanes, and its copies counted (a compare and a bit
/// count per vector); the tail is padded with +∞, which is never the value sought (there are
/// more than r finite values).
PHUSONG_AVX2_TARGET
double smallest_rank_avx2(const double* v, std::size_t n, std::size_t r) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const std::size_t vectors = (n + 3) / 4;
    __m256d x[(kMaxDeltaHSamples + 3) / 4];  // NOLINT(*-avoid-c-arrays): std::array drops __m256d's attributes
    for (std::size_t i = 0; 4 * i + 4 <= n; ++i) x[i] = _mm256_loadu_pd(v + 4 * i);
    if (n % 4 != 0) {
        alignas(32) std::array<double, 4> tail{kInf, kInf, kInf, kInf};
        std::copy(v + 4 * (n / 4), v + n, tail.begin());
        x[n / 4] = _mm256_load_pd(tail.data());
    }
    const __m256d inf = _mm256_set1_pd(kInf);
    __m256d last = _mm256_set1_pd(-kInf);
    std::size_t seen = 0;
    for (std::size_t pass = 0; pass <= r; ++pass) {  // each pass finds at least one more value
        __m256d least = inf;
        for (std::size_t i = 0; i < vectors; ++i) {
            const __m256d beyond = _mm256_cmp_pd(x[i], last, _CMP_GT_OQ);
            least = _mm256_min_pd(least, _mm256_blendv_pd(inf, x[i], beyond));
        }
        // Across the lanes: the least of the four (all finite or +∞, so min is exact).
        __m256d swapped = _mm256_permute2f128_pd(least, least, 1);
        least = _mm256_min_pd(least, swapped);
        least = _mm256_min_pd(least, _mm256_permute_pd(least, 0b0101));
        for (std::size_t i = 0; i < vectors; ++i) {
            seen += static_cast<std::size_t>(
                std::popcount(static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(x[i], least, _CMP_EQ_OQ)))));
        }
        if (seen > r) return _mm256_cvtsd_f64(least);
        last = least;
    }
    return std::numeric_limits<double>::quiet_NaN();  // r ≥ n: no such value
}
#endif

/// Up to this many ranks from its guess, kth_near walks to the value (detail::smallest_rank);
/// further off, a quickselect. From one prefix of a ray to the next the k-th value moved by at
/// most one rank in 63 % of the calls and by more than three in 4 % (3 sites of
/// tools/itm_vs_splat, 1.6 M calls).
constexpr std::size_t kNearRanks = 3;

/// The k-th largest (`Largest`) or k-th smallest of v (1 ≤ k ≤ v.size() ≤ kMaxDeltaHSamples)
/// with `guess` near it. The c values at or beyond the guess (at or above it for the largest,
/// at or below it for the smallest) are the c most extreme: the k-th is the (c − k)-th of them
/// counted from the guess if c ≥ k, else the (k − c − 1)-th of the others counted towards the
/// guess. Both as detail::smallest_rank of values negated where the count runs downwards.
/// `v` and `scratch` (as large) may be overwritten.
template <bool Largest>
double kth_near(std::span<double> v, std::size_t k, double guess, std::span<double> scratch) {
    constexpr double kSign = Largest ? 1.0 : -1.0;  // the beyond side, counted upwards from the guess
    std::array<double, kMaxDeltaHSamples> beyond;   // values at or beyond the guess, times kSign
    std::array<double, kMaxDeltaHSamples> short_of;  // the others, times −kSign
    std::size_t c = 0;
    std::size_t rest = 0;
    for (const double x : v) {  // branch-free: both slots written, one kept
        const bool at_or_beyond = Largest ? x >= guess : x <= guess;
        beyond[c] = kSign * x;
        short_of[rest] = -kSign * x;
        c += static_cast<std::size_t>(at_or_beyond);
        rest += static_cast<std::size_t>(!at_or_beyond);
    }
    const bool avx2 = cpu_has_avx2();
    if (c >= k && c - k <= kNearRanks) return kSign * detail::smallest_rank(std::span(beyond.data(), c), c - k, avx2);
    if (c < k && k - c - 1 <= kNearRanks)
        return -kSign * detail::smallest_rank(std::span(short_of.data(), rest), k - c - 1, avx2);
    return select_rank(v, static_cast<int>(Largest ? v.size() - k : k - 1), scratch.first(v.size()));
}

/// As interdecile_values, with a guess of the two values (a nearby profile's, `hint`): one pass
/// keeps the values at or above a threshold a little under the guessed upper value, and those at
/// or below one a little over the guessed lower value; when each kept set holds at least k
/// values it holds the k extreme ones, so the k-th largest (smallest) of the set is the k-th
/// largest (smallest) of all, and both selections run on sets of about k values instead of
/// about n/2, starting from the guess (kth_near). Otherwise (a guess too far off)
/// interdecile_values. The same two values either way: order statistics do not depend on how
/// they are found.
InterdecileValues interdecile_values(std::span<double> s, int k, const InterdecileValues& hint,
                                     std::span<double> scratch) {
    // The guesses' slack, 8 % of the guessed range: from one prefix of a ray to the next the
    // sets keep about k + 6 (high) and k + 15 (low) values and miss the k-th value in 0.8 % of
    // the calls (3 sites of tools/itm_vs_splat; 3 %: 7.6 %, and a slower sweep).
    const double slack = 0.08 * (hint.upper - hint.lower) + 1e-6;
    const double upper_from = hint.upper - slack;
    const double lower_to = hint.lower + slack;
    // Room for the kernel's whole-vector stores past the kept values.
    std::array<double, kMaxDeltaHSamples + 4> high;
    std::array<double, kMaxDeltaHSamples + 4> low;
    std::size_t n_high = 0;
    std::size_t n_low = 0;
    std::size_t i = 0;
#if PHUSONG_HAVE_AVX2_KERNELS
    if (cpu_has_avx2()) i = keep_extremes_avx2(s, upper_from, lower_to, high.data(), low.data(), n_high, n_low);
#endif
    for (const double v : s.subspan(i)) {  // branch-free: both slots are written, at most two kept
        high[n_high] = v;
        low[n_low] = v;
        n_high += static_cast<std::size_t>(v >= upper_from);
        n_low += static_cast<std::size_t>(v <= lower_to);
    }
    const auto kk = static_cast<std::size_t>(k);
    if (n_high < kk || n_low < kk) return interdecile_values(s, k, scratch);  // s is untouched
    return {kth_near<true>(std::span(high.data(), n_high), kk, hint.upper, scratch),
            kth_near<false>(std::span(low.data(), n_low), kk, hint.lower, scratch)};
}

#if PHUSONG_HAVE_AVX2_KERNELS
/// detail::resample_profile's loop four samples at a time: on each lane the same operations in
/// the same order (the position; its segment's end k, a whole number held in a double; the
/// interpolation), the two loads a gather each, which GCC does not emit for the scalar loop (it
/// loads lane by lane). Returns how many samples it wrote (a multiple of 4).
PHUSONG_AVX2_TARGET
int resample_profile_avx2(const double* z, int np, double x_first, double step, double* out, int n) {
    const __m256d first = _mm256_set1_pd(x_first);
    const __m256d dx = _mm256_set1_pd(step);
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d k_min = _mm256_set1_pd(std::min(static_cast<int>(x_first) + 1, np));
    const __m256d k_max = _mm256_set1_pd(np);
    const __m128i lanes = _mm_setr_epi32(0, 1, 2, 3);
    const __m128i minus_one = _mm_set1_epi32(-1);
    // Masked gathers with every lane on: the unmasked form leaves its pass-through operand
    // undefined, which GCC 12 reports as uninitialised.
    const __m256d zero = _mm256_setzero_pd();
    const __m256d all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    int j = 0;
    for (; j + 4 <= n; j += 4) {
        const __m256d jd = _mm256_cvtepi32_pd(_mm_add_epi32(_mm_set1_epi32(j), lanes));
        const __m256d x = _mm256_add_pd(first, _mm256_mul_pd(jd, dx));
        // int(x) (x ≥ 0), plus one where x lies beyond it, clamped to [k_min, np].
        const __m256d whole = _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        __m256d k = _mm256_add_pd(whole, _mm256_and_pd(_mm256_cmp_pd(x, whole, _CMP_GT_OQ), one));
        k = _mm256_min_pd(_mm256_max_pd(k, k_min), k_max);
        const __m128i ki = _mm256_cvttpd_epi32(k);
        const __m256d zk = _mm256_mask_i32gather_pd(zero, z, ki, all, 8);
        const __m256d zk1 = _mm256_mask_i32gather_pd(zero, z, _mm_add_epi32(ki, minus_one), all, 8);
        _mm256_storeu_pd(out + j, _mm256_add_pd(zk, _mm256_mul_pd(_mm256_sub_pd(zk, zk1), _mm256_sub_pd(x, k))));
    }
    return j;
}

/// detail::resample_profile's loop eight samples at a time (AVX-512): the same operations in
/// the same order on each lane as the scalar loop. The eight samples' segments usually lie within
/// sixteen consecutive points (steps up to 15/7 samples): two loads and a permutation each for
/// z[k] and z[k − 1] instead of a gather (slow on AMD cores); wider blocks gather. Returns how
/// many samples it wrote (a multiple of 8).
PHUSONG_AVX512_TARGET
int resample_profile_avx512(const double* z, int np, double x_first, double step, double* out, int n) {
    // Masked forms with every lane on: GCC 12's unmasked ones start from an undefined vector,
    // which it reports as uninitialised.
    constexpr __mmask8 kAll = 0xFF;
    const __m512d zero = _mm512_setzero_pd();
    const __m512d first = _mm512_set1_pd(x_first);
    const __m512d dx = _mm512_set1_pd(step);
    const __m512d one = _mm512_set1_pd(1.0);
    const __m512d k_min = _mm512_set1_pd(std::min(static_cast<int>(x_first) + 1, np));
    const __m512d k_max = _mm512_set1_pd(np);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i one_i = _mm512_set1_epi64(1);
    const __m512i fifteen = _mm512_set1_epi64(15);
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m512d jd = _mm512_maskz_cvtepi32_pd(kAll, _mm256_add_epi32(_mm256_set1_epi32(j), lanes));
        const __m512d x = _mm512_add_pd(first, _mm512_mul_pd(jd, dx));
        const __m512d whole = _mm512_maskz_roundscale_pd(kAll, x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        __m512d k = _mm512_mask_add_pd(whole, _mm512_cmp_pd_mask(x, whole, _CMP_GT_OQ), whole, one);
        k = _mm512_maskz_min_pd(kAll, _mm512_maskz_max_pd(kAll, k, k_min), k_max);
        const __m512i ki = _mm512_cvttpd_epi64(k);
        // The block's points z[base] … z[base + 15]: base = its first k − 1, up to np.
        const long long base = _mm_cvtsi128_si64(_mm512_maskz_extracti32x4_epi32(0xF, ki, 0)) - 1;
        const __m512i idx = _mm512_sub_epi64(ki, _mm512_set1_epi64(base));
        __m512d zk;
        __m512d zk1;
        if (_mm512_cmpgt_epi64_mask(idx, fifteen) == 0) {
            const long long valid = np + 1 - base;  // points from base on
            const auto mask_lo = static_cast<__mmask8>(valid >= 8 ? 0xFF : (1U << valid) - 1U);
            const auto mask_hi = static_cast<__mmask8>(valid >= 16 ? 0xFF : valid <= 8 ? 0U : (1U << (valid - 8)) - 1U);
            const __m512d lo = _mm512_maskz_loadu_pd(mask_lo, z + base);
            const __m512d hi = _mm512_maskz_loadu_pd(mask_hi, z + base + 8);
            zk = _mm512_permutex2var_pd(lo, idx, hi);
            zk1 = _mm512_permutex2var_pd(lo, _mm512_sub_epi64(idx, one_i), hi);
        } else {
            zk = _mm512_mask_i64gather_pd(zero, kAll, ki, z, 8);
            zk1 = _mm512_mask_i64gather_pd(zero, kAll, _mm512_sub_epi64(ki, one_i), z, 8);
        }
        _mm512_storeu_pd(out + j, _mm512_add_pd(zk, _mm512_mul_pd(_mm512_sub_pd(zk, zk1), _mm512_sub_pd(x, k))));
    }
    return j;
}

/// detail::fit_sums' loop, its four accumulators the four lanes: lane r adds s[j + r] and
/// s[j + r]·(j + r − c), the offset kept by adding 4 (exact: multiples of ½ far below 2^52),
/// the same operations in the same order as the scalar loop's accumulator r. Returns how many
/// values it went through (a multiple of 4).
PHUSONG_AVX2_TARGET
int fit_sums_avx2(const double* s, int n, double c, double* sum, double* moment) {
    __m256d acc_sum = _mm256_setzero_pd();
    __m256d acc_moment = _mm256_setzero_pd();
    __m256d offset = _mm256_setr_pd(-c, 1.0 - c, 2.0 - c, 3.0 - c);
    const __m256d four = _mm256_set1_pd(4.0);
    int j = 0;
    for (; j + 4 <= n; j += 4) {
        const __m256d v = _mm256_loadu_pd(s + j);
        acc_sum = _mm256_add_pd(acc_sum, v);
        acc_moment = _mm256_add_pd(acc_moment, _mm256_mul_pd(v, offset));
        offset = _mm256_add_pd(offset, four);
    }
    _mm256_storeu_pd(sum, acc_sum);
    _mm256_storeu_pd(moment, acc_moment);
    return j;
}
#endif

}  // namespace

namespace detail {

double smallest_rank(std::span<const double> v, std::size_t r, bool avx2) {
#if PHUSONG_HAVE_AVX2_KERNELS
    if (avx2) return smallest_rank_avx2(v.data(), v.size(), r);
#else
    (void)avx2;
#endif
    double last = -std::numeric_limits<double>::infinity();
    std::size_t seen = 0;  // values up to `last`, copies included
    for (std::size_t pass = 0; pass <= r; ++pass) {  // each pass finds at least one more value
        double least = std::numeric_limits<double>::infinity();
        for (const double x : v) least = x > last && x < least ? x : least;
        for (const double x : v) seen += static_cast<std::size_t>(x == least);
        if (seen > r) return least;
        last = least;
    }
    return std::numeric_limits<double>::quiet_NaN();  // r ≥ v.size(): no such value
}

/// Least-squares straight line through z over the index range covering [d_start, d_end]
/// ("zlsq1"). The sums are trapezoidal (end points weighted ½), which is the discrete form of the
/// continuous fit: mean = Σw·z/n, slope = 12·Σw·z·(i − c)/((n² + 2)·n), c the range's centre.
/// The range is truncated to whole samples inwards and widened by one sample each way when that
/// leaves it empty. Returns the line's values at the profile's first and last index.
LineFit fit_line(std::span<const double> z, double spacing, double d_start, double d_end) {
    const int np = static_cast<int>(z.size()) - 1;
    int i_first = static_cast<int>(dim(d_start / spacing, 0.0));
    int i_last = np - static_cast<int>(dim(static_cast<double>(np), d_end / spacing));
    // Out-of-range requests cannot come from the model's own calls; clamp for memory safety.
    i_first = std::clamp(i_first, 0, np);
    i_last = std::clamp(i_last, 0, np);
    if (i_last <= i_first) {
        i_first = static_cast<int>(dim(static_cast<double>(i_first), 1.0));
        i_last = np - static_cast<int>(dim(static_cast<double>(np), i_last + 1.0));
    }
    const double n = i_last - i_first;
    const double centre = i_last - 0.5 * n;
    double sum = 0.5 * (z[i_first] + z[i_last]);
    double moment = 0.5 * (z[i_first] - z[i_last]) * (-0.5 * n);
    double x = -0.5 * n;
    for (int i = i_first + 1; i < i_last; ++i) {
        x += 1.0;
        sum += z[i];
        moment += z[i] * x;
    }
    sum /= n;
    moment = moment * 12.0 / ((n * n + 2.0) * n);
    return {sum - moment * centre, sum + moment * (np - centre)};
}

FitSums fit_sums(std::span<const double> s, double c, bool avx2) {
    const auto n = static_cast<int>(s.size());
    std::array<double, 4> sum{};
    std::array<double, 4> moment{};
    int j = 0;
#if PHUSONG_HAVE_AVX2_KERNELS
    if (avx2) j = fit_sums_avx2(s.data(), n, c, sum.data(), moment.data());
#else
    (void)avx2;
#endif
    for (; j + 4 <= n; j += 4) {
        for (int r = 0; r < 4; ++r) {
            sum[r] += s[j + r];
            moment[r] += s[j + r] * (j + r - c);
        }
    }
    for (; j < n; ++j) {
        sum[0] += s[j];
        moment[0] += s[j] * (j - c);
    }
    return {(sum[0] + sum[1]) + (sum[2] + sum[3]), (moment[0] + moment[1]) + (moment[2] + moment[3])};
}

void resample_profile(std::span<const double> z, double x_first, double step, std::span<double> out,
                      Kernels kernels) {
    const int np = static_cast<int>(z.size()) - 1;
    const int n = static_cast<int>(out.size());
    int j = 0;
#if PHUSONG_HAVE_AVX2_KERNELS
    if (kernels == Kernels::avx512) j = resample_profile_avx512(z.data(), np, x_first, step, out.data(), n);
    if (kernels == Kernels::avx2) j = resample_profile_avx2(z.data(), np, x_first, step, out.data(), n);
#else
    (void)kernels;
#endif
    // Sample j at x = x_first + j·step, interpolated on the segment (k − 1, k] holding it, k not
    // below int(x_first) + 1 nor above np (past the last point the last segment extrapolates).
    const int k_min = std::min(static_cast<int>(x_first) + 1, np);
    for (; j < n; ++j) {
        const double x = x_first + j * step;
        const int whole = static_cast<int>(x);  // x ≥ 0
        const int k = std::clamp(whole + static_cast<int>(x > whole), k_min, np);
        out[static_cast<std::size_t>(j)] = z[k] + (z[k] - z[k - 1]) * (x - k);
    }
}

/// Δh between d_start and d_end ("d1thx"; [ERL79 Eqn 3] inverted). Samples n = 10·k − 5 points
/// evenly (k = (x_2 − x_1 + 8)/10 clamped to 4..25, x in samples) by linear interpolation,
/// removes their least-squares line ("zlsq1", trapezoid weights), takes the interdecile range
/// (k-th largest minus k-th smallest) and divides by (1 − 0.8·exp(−(d_end − d_start)/50 km)) to
/// get the asymptotic Δh.
///
/// The same arithmetic as ITM's loops, in an order without long chains of dependent additions
/// (ITM walks the sample position and the fitted line by repeated addition, and sums the fit in
/// one accumulator): each position and line value is computed from its index, the sums run in
/// four accumulators. The results differ from ITM's order by rounding only (~1e-13 m).
/// Compiled for CPUs with AVX-512 and with AVX2, where the removal of the line vectorises, and
/// for any x86-64 (PHUSONG_AVX2_CLONES); no FMA in any, so all give the same numbers. The
/// loops GCC does not vectorise (resampling, the fit's sums, the selection's passes) have AVX2
/// kernels of their own, the resampling an AVX-512 one too, tested against their scalar loops.
PHUSONG_AVX2_CLONES
double terrain_delta_h(std::span<const double> z, double spacing, double d_start, double d_end,
                       DeltaHHint* hint) {
    const double x_first = d_start / spacing;
    const double x_last = d_end / spacing;
    if (x_last - x_first < 2.0) return 0.0;

    const int k10 = std::clamp(static_cast<int>(0.1 * (x_last - x_first + 8.0)), 4, 25);
    const int n = 10 * k10 - 5;
    std::array<double, kMaxDeltaHSamples> samples;  // only [0, n) is used
    std::array<double, kMaxDeltaHSamples> scratch;
    const double step = (x_last - x_first) / (n - 1);
    // The sampling: GCC does not vectorise its loads (gathers), hence a kernel of its own.
    resample_profile(z, x_first, step, std::span(samples.data(), static_cast<std::size_t>(n)), best_kernels());

    // zlsq1 over indices 0 … n − 1 (weights ½ at both ends), about the centre c = (n − 1)/2:
    // mean = Σw·s/(n − 1), slope = 12·Σw·s·(j − c)/(((n − 1)² + 2)·(n − 1)).
    const double c = 0.5 * (n - 1);
    const FitSums sums = fit_sums(std::span(samples.data(), static_cast<std::size_t>(n)), c, cpu_has_avx2());
    const double ends = 0.5 * (samples[0] + samples[n - 1]);
    const double ends_moment = 0.5 * (samples[0] - samples[n - 1]) * -c;
    const double span = n - 1.0;
    const double mean = (sums.sum - ends) / span;
    const double slope = (sums.moment - ends_moment) * 12.0 / ((span * span + 2.0) * span);
    const double line_first = mean - slope * c;
    for (int i = 0; i < n; ++i) samples[i] -= line_first + i * slope;

    // The k-th largest and k-th smallest: order statistics are values of the set, so any
    // exact selection gives the same two numbers as ITM's sort.
    const std::span<double> s(samples.data(), static_cast<std::size_t>(n));
    const std::span<double> scratch_n(scratch.data(), s.size());
    InterdecileValues q;
    if (hint != nullptr && hint->valid) {
        q = interdecile_values(s, k10, {hint->upper, hint->lower}, scratch_n);
    } else {
        q = interdecile_values(s, k10, scratch_n);
    }
    if (hint != nullptr) *hint = {q.upper, q.lower, true};
    return (q.upper - q.lower) / (1.0 - 0.8 * std::exp(-(d_end - d_start) / 50e3));
}

}  // namespace detail

}  // namespace phusong::radio::itm
