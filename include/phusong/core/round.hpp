#pragma once
/// Rounding on the per-pixel paths without a library call.

namespace phusong {

/// std::lround(x): the nearest integer, halves away from zero, for finite |x| < 2^62. GCC calls
/// libm's lround on baseline x86-64 (no SSE4.1 rounding instruction); this is inline and gives
/// the same value: x − trunc(x) is exact in double, so the comparison with ±0.5 decides exactly.
/// A float argument converts to double exactly, so this is also std::lround(float).
[[nodiscard]] constexpr long round_half_away(double x) noexcept {
    const auto t = static_cast<long>(x);  // towards zero
    const double frac = x - static_cast<double>(t);
    return t + static_cast<long>(frac >= 0.5) - static_cast<long>(frac <= -0.5);
}

}  // namespace phusong
