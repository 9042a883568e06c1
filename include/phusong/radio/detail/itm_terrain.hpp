#pragma once
/// ITM's statistics of a terrain profile [Alg §3 "point-to-point"]: the least-squares line
/// ("zlsq1") and the terrain irregularity Δh ("d1thx" [ERL79 Eqn 3]), with the pieces of Δh that
/// have SIMD kernels (the resampling, the line fit's sums, the small-rank selection). Internal to
/// radio: shared by `analyse_profile` (itm.cpp) and the incremental RayProfile (itm_ray.hpp) so
/// that both compute the same numbers bit for bit, and tested piece by piece
/// (tests/radio/test_itm_terrain.cpp). No input checks. The reference keys ([ERL79], [Alg]) are
/// listed in include/phusong/radio/itm.hpp.

#include <cstddef>
#include <span>

#include "phusong/radio/multiversion.hpp"

namespace phusong::radio::itm::detail {

/// A least-squares line's values at a profile's first and last index, m.
struct LineFit {
    double y_first;  ///< fitted elevation at index 0
    double y_last;   ///< fitted elevation at the last index
};
/// ITM's "zlsq1": trapezoid-weighted least-squares line through the samples covering
/// [d_start_m, d_end_m] of the profile [Alg §3].
[[nodiscard]] LineFit fit_line(std::span<const double> z, double spacing_m, double d_start_m,
                               double d_end_m);
/// "d1thx"'s resampling [Alg §3]: out[j] = z linearly interpolated at x = x_first + j·step (x in
/// samples, ≥ 0) on the segment (k − 1, k] holding it, k clamped to [int(x_first) + 1, np] (past
/// the last point the last segment extrapolates). `kernels`: the scalar loop, or the AVX2 or
/// AVX-512 kernel (only where the CPU has it: best_kernels(); the same numbers bit for bit,
/// tests/radio/test_itm_terrain.cpp). z needs at least 2 points.
void resample_profile(std::span<const double> z, double x_first, double step, std::span<double> out,
                      Kernels kernels);
/// zlsq1's sums over the resampled points s_0 … s_{n−1} about their centre c = (n − 1)/2 (the
/// ends' half weights left to the caller): Σ s_j and Σ s_j·(j − c), each in four accumulators
/// (every fourth value) added pairwise at the end. `avx2`: the four accumulators as the lanes of
/// an AVX2 kernel where the CPU has it (the same numbers bit for bit,
/// tests/radio/test_itm_terrain.cpp).
struct FitSums {
    double sum;
    double moment;
};
[[nodiscard]] FitSums fit_sums(std::span<const double> s, double c, bool avx2);
/// The r-th smallest (0-based; NaN if r ≥ v.size()) of at most 245 finite values: r + 1 passes
/// at most, each finding the least value above the last one found and counting its copies; for
/// the small r of Δh's selection from a guess, where a quickselect's partitions cost more.
/// `avx2`: with the AVX2 kernel where the CPU has it (the same value,
/// tests/radio/test_itm_terrain.cpp).
[[nodiscard]] double smallest_rank(std::span<const double> v, std::size_t r, bool avx2);
/// The interdecile values of the last Δh, kept for the next call on a similar profile (the next
/// prefix of a ray): a guess that lets the selection look at fewer values. Results do not
/// depend on it.
struct DeltaHHint {
    double upper = 0.0;  ///< k-th largest detrended sample, m
    double lower = 0.0;  ///< k-th smallest, m
    bool valid = false;
};
/// ITM's terrain irregularity Δh, m, of the profile z (uniform `spacing_m`, the TX at index 0)
/// between distances d_start_m and d_end_m from the TX: the interdecile range of the elevations
/// about a least-squares line, scaled to an asymptotic value ("d1thx" [Alg §3; ERL79 Eqn 3]);
/// 0 where fewer than 2 samples lie between the ends. `hint`, when given, is used and updated.
[[nodiscard]] double terrain_delta_h(std::span<const double> z, double spacing_m, double d_start_m,
                                     double d_end_m, DeltaHHint* hint = nullptr);

}  // namespace phusong::radio::itm::detail
